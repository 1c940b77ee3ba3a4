// Base64 (standard alphabet) for header fields. Node's own decoder skips characters it does not know,
// so a garbled header would decode to garbage; fields are validated first, without a regex.

const VALID = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/') {
  VALID[c.charCodeAt(0)] = 1;
}
const PAD = 0x3d; // '='

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
  for (let i = start; i < dataEnd; i++) {
    const code = source.charCodeAt(i);
    if (code >= 128 || VALID[code] === 0) return undefined;
  }
  if (dataLength === 0) return '';
  return Buffer.from(source.slice(start, end), 'base64').toString('utf8');
}
