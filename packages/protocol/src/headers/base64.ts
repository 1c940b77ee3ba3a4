// Base64 (standard alphabet) for header fields. Node's own decoder skips characters it does not know, so a
// garbled header would decode to garbage; this one validates while it decodes, in one pass with no regex
// and no intermediate strings or buffers (it runs for every field of every incoming sw8 header).

const SEXTET = new Int8Array(128).fill(-1);
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
for (let i = 0; i < ALPHABET.length; i++) SEXTET[ALPHABET.charCodeAt(i)] = i;
const PAD = 0x3d; // '='

// Headers are at most 2 KB, so decoded fields fit; anything larger gets its own buffer.
const scratch = Buffer.allocUnsafeSlow(2048);

export function encodeBase64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

/**
 * Decodes `source[start, end)` as base64 of UTF-8 text, or returns undefined when it is not base64.
 * Padding is optional (Java's decoder accepts both), but when present it must be complete.
 */
export function decodeBase64Slice(source: string, start: number, end: number): string | undefined {
  let dataEnd = end;
  if (dataEnd > start && source.charCodeAt(dataEnd - 1) === PAD) dataEnd--;
  if (dataEnd > start && source.charCodeAt(dataEnd - 1) === PAD) dataEnd--;
  const dataLength = dataEnd - start;
  if (dataLength % 4 === 1) return undefined;
  if (dataEnd !== end && (end - start) % 4 !== 0) return undefined;
  if (dataLength === 0) return '';
  const byteLength = (dataLength * 3) >> 2;
  const target = byteLength <= scratch.length ? scratch : Buffer.allocUnsafe(byteLength);
  let written = 0;
  let bits = 0;
  let pending = 0;
  for (let i = start; i < dataEnd; i++) {
    const code = source.charCodeAt(i);
    const sextet = code < 128 ? SEXTET[code]! : -1;
    if (sextet < 0) return undefined;
    pending = (pending << 6) | sextet;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      target[written++] = pending >> bits;
      pending &= (1 << bits) - 1;
    }
  }
  return target.toString('utf8', 0, written);
}
