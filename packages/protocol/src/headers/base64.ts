// Base64 (standard alphabet) of UTF-8 text for header fields, through the platform: `btoa`/`atob` for ASCII text
// (the common case, and the faster route), Buffer for the rest. What this module adds is the validation Buffer
// skips: Node's decoder ignores characters it does not know, so a garbled header would decode to garbage instead
// of being refused. No state is kept between calls. The decoder a server keeps for incoming `sw8` (Sw8Decoder)
// decodes with a Base64Decoder instead, which costs less than atob under the whole agent.

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const IS_BASE64 = new Uint8Array(128);
for (let i = 0; i < ALPHABET.length; i++) IS_BASE64[ALPHABET.charCodeAt(i)] = 1;
const PAD = 0x3d; // '='

/** Base64 of the UTF-8 of `text` (a lone surrogate becomes U+FFFD). */
export function encodeBase64(text: string): string {
  // btoa reads each unit as one byte: right for ASCII, whose UTF-8 is the text itself.
  if (!isAscii(text)) return Buffer.from(text, 'utf8').toString('base64');
  return btoa(text);
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) >= 0x80) return false;
  return true;
}

/**
 * Whether `source[start, end)` is base64: alphabet characters only, a length a decoder accepts, and padding, if
 * any, complete (Java's decoder accepts it with or without).
 */
export function isBase64(source: string, start: number, end: number): boolean {
  let dataEnd = end;
  if (dataEnd > start && source.charCodeAt(dataEnd - 1) === PAD) dataEnd--;
  if (dataEnd > start && source.charCodeAt(dataEnd - 1) === PAD) dataEnd--;
  if ((dataEnd - start) % 4 === 1) return false;
  if (dataEnd !== end && (end - start) % 4 !== 0) return false;
  for (let i = start; i < dataEnd; i++) {
    const code = source.charCodeAt(i);
    if (code >= 0x80 || IS_BASE64[code] === 0) return false;
  }
  return true;
}

/**
 * Whether `source[start, end)`, which must be base64 (isBase64), is spelled as encoding its bytes would spell it:
 * padded, with no bits set beyond its last byte.
 */
export function isCanonicalBase64(source: string, start: number, end: number): boolean {
  if ((end - start) % 4 !== 0) return false;
  if (end === start || source.charCodeAt(end - 1) !== PAD) return true;
  const twoPads = source.charCodeAt(end - 2) === PAD;
  const last = ALPHABET.indexOf(source[twoPads ? end - 3 : end - 2]!);
  return (last & (twoPads ? 0x0f : 0x03)) === 0;
}

/** The canonical spelling (isCanonicalBase64) of the base64 `source[start, end)`. */
export function canonicalBase64(source: string, start: number, end: number): string {
  if (isCanonicalBase64(source, start, end)) return source.slice(start, end);
  return Buffer.from(source.slice(start, end), 'base64').toString('base64');
}

/**
 * Decodes `source[start, end)` as base64 of UTF-8 text, or returns undefined when it is not base64 (isBase64).
 * Invalid UTF-8 becomes U+FFFD, and the low bits a last partial character carries beyond its bytes are dropped, as
 * with Buffer. atob both checks and decodes, in one pass and natively; it is only more forgiving than isBase64 in
 * skipping ASCII whitespace, which a shorter result than the field's length implies gives away.
 */
export function decodeBase64Slice(source: string, start: number, end: number): string | undefined {
  let dataLength = end - start;
  if (dataLength === 0) return '';
  if (source.charCodeAt(end - 1) === PAD) {
    if (dataLength % 4 !== 0) return undefined;
    dataLength -= source.charCodeAt(end - 2) === PAD ? 2 : 1;
  }
  if (dataLength % 4 === 1) return undefined;
  let bytes: string;
  try {
    bytes = atob(source.slice(start, end));
  } catch {
    return undefined; // a character outside the alphabet, or '=' other than as padding
  }
  // Every 4 characters make 3 bytes, and a last 2 or 3 make 1 or 2: whitespace atob skipped makes fewer.
  if (bytes.length !== (dataLength * 3) >> 2) return undefined;
  return isAscii(bytes) ? bytes : Buffer.from(bytes, 'latin1').toString('utf8');
}
