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
// Two base64 characters (both ASCII) at once: SEXTET_PAIR[(first << 7) | second] is their 12 bits, or -1 when
// either is not base64. 32 KB, and half the table reads and range checks of one sextet at a time.
const SEXTET_PAIR = new Int16Array(1 << 14).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) {
  for (let j = 0; j < ALPHABET.length; j++) {
    SEXTET_PAIR[(ALPHABET.charCodeAt(i) << 7) | ALPHABET.charCodeAt(j)] = (i << 6) | j;
  }
}

/** Texts up to this many UTF-16 units are encoded through the scratch arrays; longer ones through Buffer. */
export const MAX_SCRATCH_TEXT_LENGTH = 1024;
/** The most base64 characters one scratch-encoded text can take (3 UTF-8 bytes per unit, 4 chars per 3 bytes). */
export const MAX_SCRATCH_BASE64_LENGTH = 4 * MAX_SCRATCH_TEXT_LENGTH;

const utf8 = new Uint8Array(3 * MAX_SCRATCH_TEXT_LENGTH);
const encodeTarget = Buffer.allocUnsafeSlow(MAX_SCRATCH_BASE64_LENGTH);

/**
 * Writes the UTF-8 bytes of `text` from index `from` into the scratch, exactly as Buffer.from(text, 'utf8') would:
 * a lone surrogate becomes U+FFFD (EF BF BD). Returns the byte count. `text` is at most MAX_SCRATCH_TEXT_LENGTH long.
 */
function writeUtf8(text: string, from: number): number {
  let written = 0;
  const length = text.length;
  for (let i = from; i < length; i++) {
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
 * Writes base64 of the UTF-8 of `text` (from index `from`, default 0) as ASCII bytes into `target` from `offset`,
 * and returns the offset after it. `text` must be at most MAX_SCRATCH_TEXT_LENGTH long and `target` must have
 * MAX_SCRATCH_BASE64_LENGTH bytes of room from `offset`.
 */
export function writeBase64(text: string, target: Uint8Array, offset: number, from = 0): number {
  const byteLength = writeUtf8(text, from);
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

/** The longest text encodeShortAscii takes: two 3-byte groups, eight base64 characters. */
export const MAX_SHORT_ASCII_LENGTH = 6;

/**
 * Base64 of `text[from, text.length)` when that is 1 to 6 ASCII characters, made by one String.fromCharCode
 * (no scratch, no native call); undefined otherwise. For the few characters that change between ids sharing a
 * prefix, where making a string through Buffer would cost more than encoding them.
 */
export function encodeShortAscii(text: string, from: number): string | undefined {
  const length = text.length - from;
  if (length < 1 || length > MAX_SHORT_ASCII_LENGTH) return undefined;
  // Missing bytes of the last group are zeros. (Reading past the end instead would return NaN, and make V8
  // deoptimize the function each time it happens.)
  const b0 = text.charCodeAt(from);
  const b1 = length > 1 ? text.charCodeAt(from + 1) : 0;
  const b2 = length > 2 ? text.charCodeAt(from + 2) : 0;
  const b3 = length > 3 ? text.charCodeAt(from + 3) : 0;
  const b4 = length > 4 ? text.charCodeAt(from + 4) : 0;
  const b5 = length > 5 ? text.charCodeAt(from + 5) : 0;
  if ((b0 | b1 | b2 | b3 | b4 | b5) >= 0x80) return undefined;
  const first = (b0 << 16) | (b1 << 8) | b2;
  const c0 = CHAR_OF[first >> 18]!;
  const c1 = CHAR_OF[(first >> 12) & 0x3f]!;
  const c2 = length > 1 ? CHAR_OF[(first >> 6) & 0x3f]! : PAD;
  const c3 = length > 2 ? CHAR_OF[first & 0x3f]! : PAD;
  if (length <= 3) return String.fromCharCode(c0, c1, c2, c3);
  const second = (b3 << 16) | (b4 << 8) | b5;
  return String.fromCharCode(
    c0,
    c1,
    c2,
    c3,
    CHAR_OF[second >> 18]!,
    CHAR_OF[(second >> 12) & 0x3f]!,
    length > 4 ? CHAR_OF[(second >> 6) & 0x3f]! : PAD,
    length > 5 ? CHAR_OF[second & 0x3f]! : PAD,
  );
}

/** Base64 of the UTF-8 of `text`; the same string as Buffer.from(text, 'utf8').toString('base64'). */
export function encodeBase64(text: string): string {
  if (text.length > MAX_SCRATCH_TEXT_LENGTH) return Buffer.from(text, 'utf8').toString('base64');
  return encodeTarget.toString('latin1', 0, writeBase64(text, encodeTarget, 0));
}

// Bit 7 of any byte the last successful decodeBase64Into wrote (0 when every byte was ASCII).
let lastDecodedHighBits = 0;
// Whether the last successfully decoded slice is exactly what encoding its bytes gives (padded, no stray bits).
let lastDecodedCanonical = false;

/** True when every byte the last successful decodeBase64Into wrote was ASCII (so latin1 reads them as UTF-8). */
export function lastDecodedWasAscii(): boolean {
  return lastDecodedHighBits === 0;
}

/**
 * True when the slice the last successful decodeBase64Into read is the canonical base64 of the bytes it wrote:
 * padded, and without the leftover low bits a decoder drops. Only then can that slice stand in for encoding the
 * bytes again.
 */
export function lastDecodedWasCanonical(): boolean {
  return lastDecodedCanonical;
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
  // Whole quanta first: four sextets make three bytes, read as two pairs. A pair of -1 (not base64) makes the
  // OR negative.
  for (const whole = start + (dataLength & ~3); i < whole; i += 4) {
    const a = source.charCodeAt(i);
    const b = source.charCodeAt(i + 1);
    const c = source.charCodeAt(i + 2);
    const d = source.charCodeAt(i + 3);
    if ((a | b | c | d) >= 0x80) return -1;
    const high12 = SEXTET_PAIR[(a << 7) | b]!;
    const low12 = SEXTET_PAIR[(c << 7) | d]!;
    if ((high12 | low12) < 0) return -1;
    const group = (high12 << 12) | low12;
    target[out++] = group >> 16;
    target[out++] = (group >> 8) & 0xff;
    target[out++] = group & 0xff;
    high |= group;
  }
  const rest = dataEnd - i;
  let canonical = dataEnd === end ? rest === 0 : true;
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
    if ((group & (rest === 3 ? 0xc0 : 0xf000)) !== 0) canonical = false;
  }
  lastDecodedCanonical = canonical;
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
