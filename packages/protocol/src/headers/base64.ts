// Base64 (standard alphabet, padded) of UTF-8 text for header fields, written in JS over strings and reused
// scratch arrays. It runs for every field of every sw8 header: Buffer.from(text).toString('base64') costs two
// allocations and two native calls per field, and creating a string is what costs most here, so the encoder can
// write several fields into one scratch and make a single string of them (see sw8.ts).
//
// Node's own decoder skips characters it does not know, so a garbled header would decode to garbage; the decoder
// here validates while it decodes, in one pass with no regex and no intermediate strings.

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const CHAR_OF = new Uint8Array(64);
const SEXTET = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) {
  CHAR_OF[i] = ALPHABET.charCodeAt(i);
  SEXTET[ALPHABET.charCodeAt(i)] = i;
}
const PAD = 0x3d; // '='

/** Texts up to this many UTF-16 units are encoded through the scratch arrays; longer ones through Buffer. */
export const MAX_SCRATCH_TEXT_LENGTH = 1024;
/** The most base64 characters one scratch-encoded text can take (3 UTF-8 bytes per unit, 4 chars per 3 bytes). */
export const MAX_SCRATCH_BASE64_LENGTH = 4 * MAX_SCRATCH_TEXT_LENGTH;

const utf8 = new Uint8Array(3 * MAX_SCRATCH_TEXT_LENGTH);
const encodeTarget = Buffer.allocUnsafeSlow(MAX_SCRATCH_BASE64_LENGTH);

/**
 * Writes the UTF-8 bytes of `text` into the scratch, exactly as Buffer.from(text, 'utf8') would: a lone
 * surrogate becomes U+FFFD (EF BF BD). Returns the byte count. `text` is at most MAX_SCRATCH_TEXT_LENGTH long.
 */
function writeUtf8(text: string): number {
  let written = 0;
  const length = text.length;
  for (let i = 0; i < length; i++) {
    let code = text.charCodeAt(i);
    if (code < 0x80) {
      utf8[written++] = code;
    } else if (code < 0x800) {
      utf8[written++] = 0xc0 | (code >> 6);
      utf8[written++] = 0x80 | (code & 0x3f);
    } else {
      if (code >= 0xd800 && code <= 0xdfff) {
        const next = i + 1 < length ? text.charCodeAt(i + 1) : 0;
        if (code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
          code = 0x10000 + ((code - 0xd800) << 10) + (next - 0xdc00);
          i++;
          utf8[written++] = 0xf0 | (code >> 18);
          utf8[written++] = 0x80 | ((code >> 12) & 0x3f);
          utf8[written++] = 0x80 | ((code >> 6) & 0x3f);
          utf8[written++] = 0x80 | (code & 0x3f);
          continue;
        }
        code = 0xfffd;
      }
      utf8[written++] = 0xe0 | (code >> 12);
      utf8[written++] = 0x80 | ((code >> 6) & 0x3f);
      utf8[written++] = 0x80 | (code & 0x3f);
    }
  }
  return written;
}

/**
 * Writes base64 of the UTF-8 of `text` as ASCII bytes into `target` from `offset`, and returns the offset after
 * it. `text` must be at most MAX_SCRATCH_TEXT_LENGTH long and `target` must have MAX_SCRATCH_BASE64_LENGTH bytes
 * of room from `offset`.
 */
export function writeBase64(text: string, target: Uint8Array, offset: number): number {
  const byteLength = writeUtf8(text);
  let out = offset;
  let i = 0;
  for (const whole = byteLength - 2; i < whole; i += 3) {
    const group = (utf8[i]! << 16) | (utf8[i + 1]! << 8) | utf8[i + 2]!;
    target[out++] = CHAR_OF[group >> 18]!;
    target[out++] = CHAR_OF[(group >> 12) & 0x3f]!;
    target[out++] = CHAR_OF[(group >> 6) & 0x3f]!;
    target[out++] = CHAR_OF[group & 0x3f]!;
  }
  const rest = byteLength - i;
  if (rest > 0) {
    const group = (utf8[i]! << 16) | (rest === 2 ? utf8[i + 1]! << 8 : 0);
    target[out++] = CHAR_OF[group >> 18]!;
    target[out++] = CHAR_OF[(group >> 12) & 0x3f]!;
    target[out++] = rest === 2 ? CHAR_OF[(group >> 6) & 0x3f]! : PAD;
    target[out++] = PAD;
  }
  return out;
}

/** Base64 of the UTF-8 of `text`; the same string as Buffer.from(text, 'utf8').toString('base64'). */
export function encodeBase64(text: string): string {
  if (text.length > MAX_SCRATCH_TEXT_LENGTH) return Buffer.from(text, 'utf8').toString('base64');
  return encodeTarget.toString('latin1', 0, writeBase64(text, encodeTarget, 0));
}

// Bit 7 of any byte the last successful decodeBase64Into wrote (0 when every byte was ASCII).
let lastDecodedHighBits = 0;

/** True when every byte the last successful decodeBase64Into wrote was ASCII (so latin1 reads them as UTF-8). */
export function lastDecodedWasAscii(): boolean {
  return lastDecodedHighBits === 0;
}

/**
 * Decodes `source[start, end)` as base64 into `target` from `offset` and returns the offset after the bytes, or
 * -1 when it is not base64. Padding is optional (Java's decoder accepts both), but when present it must be
 * complete. `target` must have room for (end - start) * 3 / 4 bytes from `offset`.
 */
export function decodeBase64Into(
  source: string,
  start: number,
  end: number,
  target: Uint8Array,
  offset: number,
): number {
  let dataEnd = end;
  if (dataEnd > start && source.charCodeAt(dataEnd - 1) === PAD) dataEnd--;
  if (dataEnd > start && source.charCodeAt(dataEnd - 1) === PAD) dataEnd--;
  const dataLength = dataEnd - start;
  if (dataLength % 4 === 1) return -1;
  if (dataEnd !== end && (end - start) % 4 !== 0) return -1;
  let out = offset;
  let high = 0;
  let i = start;
  // Whole quanta first: four sextets make three bytes. A sextet of -1 (not base64) makes the OR negative.
  for (const whole = start + (dataLength & ~3); i < whole; i += 4) {
    const a = sextetAt(source, i);
    const b = sextetAt(source, i + 1);
    const c = sextetAt(source, i + 2);
    const d = sextetAt(source, i + 3);
    if ((a | b | c | d) < 0) return -1;
    const group = (a << 18) | (b << 12) | (c << 6) | d;
    target[out++] = group >> 16;
    target[out++] = (group >> 8) & 0xff;
    target[out++] = group & 0xff;
    high |= group;
  }
  const rest = dataEnd - i;
  if (rest > 0) {
    // Two sextets make one byte, three make two; the leftover low bits are dropped, as Buffer does.
    const a = sextetAt(source, i);
    const b = sextetAt(source, i + 1);
    const c = rest === 3 ? sextetAt(source, i + 2) : 0;
    if ((a | b | c) < 0) return -1;
    const group = (a << 18) | (b << 12) | (c << 6);
    target[out++] = group >> 16;
    high |= group & 0xff0000;
    if (rest === 3) {
      target[out++] = (group >> 8) & 0xff;
      high |= group & 0xff00;
    }
  }
  // Each byte of `group` was ORed in place, so bit 7 of any byte shows up in 0x808080.
  lastDecodedHighBits = high & 0x808080 ? 0x80 : 0;
  return out;
}

function sextetAt(source: string, index: number): number {
  const code = source.charCodeAt(index);
  return code < 128 ? SEXTET[code]! : -1;
}

// Headers are at most 2 KB, so decoded fields fit; anything larger gets its own buffer.
const decodeTarget = Buffer.allocUnsafeSlow(2048);

/**
 * Decodes `source[start, end)` as base64 of UTF-8 text, or returns undefined when it is not base64.
 * Invalid UTF-8 becomes U+FFFD, as with Buffer.
 */
export function decodeBase64Slice(source: string, start: number, end: number): string | undefined {
  const maxBytes = ((end - start) * 3) >> 2;
  const target = maxBytes <= decodeTarget.length ? decodeTarget : Buffer.allocUnsafe(maxBytes);
  const written = decodeBase64Into(source, start, end, target, 0);
  if (written < 0) return undefined;
  if (written === 0) return '';
  return target.toString(lastDecodedWasAscii() ? 'latin1' : 'utf8', 0, written);
}
