// Base64 decoding in JS into scratch owned by the decoder object, for the ids of every incoming `sw8`. It accepts and
// returns exactly what decodeBase64Slice (atob) does, but end to end under the whole agent atob cost more than this
// loop does (BENCHMARKS.md, issue 15), so the decoder a server keeps (Sw8Decoder) holds one of these.
import { MAX_HEADER_LENGTH } from './limits.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const PAD = 0x3d; // '='
// SEXTET_PAIR[(first << 7) | second] is the 12 bits of two base64 characters, or -1 when either is not base64:
// one table read and one range check per two characters.
const SEXTET = new Int8Array(128).fill(-1);
const SEXTET_PAIR = new Int16Array(1 << 14).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) {
  SEXTET[ALPHABET.charCodeAt(i)] = i;
  for (let j = 0; j < ALPHABET.length; j++) {
    SEXTET_PAIR[(ALPHABET.charCodeAt(i) << 7) | ALPHABET.charCodeAt(j)] = (i << 6) | j;
  }
}

/** What decodes a base64 field of a header: decodeBase64Slice's contract. */
export interface Base64SliceDecoder {
  decodeSlice(source: string, start: number, end: number): string | undefined;
}

/**
 * Decodes base64 of UTF-8 text (standard alphabet; padding optional, but complete when present) with scratch of its
 * own, so that each owner's calls are independent of every other's. Invalid UTF-8 becomes U+FFFD.
 */
export class Base64Decoder implements Base64SliceDecoder {
  // Header fields are at most 2 KB, so their bytes fit; a longer slice gets a buffer of its own.
  private readonly scratch = Buffer.allocUnsafeSlow(MAX_HEADER_LENGTH);

  /** The text `source[start, end)` is the base64 of, or undefined when it is not base64 (isBase64). */
  decodeSlice(source: string, start: number, end: number): string | undefined {
    let dataEnd = end;
    if (dataEnd > start && source.charCodeAt(dataEnd - 1) === PAD) dataEnd--;
    if (dataEnd > start && source.charCodeAt(dataEnd - 1) === PAD) dataEnd--;
    const dataLength = dataEnd - start;
    if (dataLength % 4 === 1) return undefined;
    if (dataEnd !== end && (end - start) % 4 !== 0) return undefined;
    if (dataLength === 0) return '';
    const maxBytes = ((dataLength + 3) >> 2) * 3;
    const target = maxBytes <= this.scratch.length ? this.scratch : Buffer.allocUnsafe(maxBytes);
    let out = 0;
    let high = 0; // bit 7 of every byte written, ORed: whether the text is ASCII
    let i = start;
    for (const whole = start + (dataLength & ~3); i < whole; i += 4) {
      const a = source.charCodeAt(i);
      const b = source.charCodeAt(i + 1);
      const c = source.charCodeAt(i + 2);
      const d = source.charCodeAt(i + 3);
      if ((a | b | c | d) >= 0x80) return undefined;
      const first = SEXTET_PAIR[(a << 7) | b]!;
      const second = SEXTET_PAIR[(c << 7) | d]!;
      if ((first | second) < 0) return undefined;
      const group = (first << 12) | second;
      target[out++] = group >> 16;
      target[out++] = (group >> 8) & 0xff;
      target[out++] = group & 0xff;
      high |= group;
    }
    const rest = dataEnd - i;
    if (rest > 0) {
      // Two characters make one byte, three make two; the low bits left over are dropped, as atob and Buffer do.
      const a = sextetAt(source, i);
      const b = sextetAt(source, i + 1);
      const c = rest === 3 ? sextetAt(source, i + 2) : 0;
      if ((a | b | c) < 0) return undefined;
      const group = (a << 18) | (b << 12) | (c << 6);
      target[out++] = group >> 16;
      high |= group & 0xff0000;
      if (rest === 3) {
        target[out++] = (group >> 8) & 0xff;
        high |= group & 0xff00;
      }
    }
    return target.toString((high & 0x808080) === 0 ? 'latin1' : 'utf8', 0, out);
  }
}

function sextetAt(source: string, index: number): number {
  const code = source.charCodeAt(index);
  return code < 0x80 ? SEXTET[code]! : -1;
}
