// Small direct-mapped caches for the header fields that repeat: a process sends the same service and instance
// name on every call, endpoints and peers come from a short list, and a server hears the same few callers. One
// slot per hash, a colliding value simply replaces the old one, so each memo holds a fixed number of strings and
// a lookup costs a few character reads plus one comparison. Base64 is a pure function, so a hit returns exactly
// what encoding or decoding again would.
import { decodeBase64Slice, encodeBase64 } from './base64.js';
import { MAX_HEADER_LENGTH } from './limits.js';

const SLOTS = 64;
/** Longer values are not memoized: they are rare and would make the memo hold real memory. */
const MAX_MEMOIZED_LENGTH = 256;

/** A cheap hash of `text[start, end)`: its length and three characters spread over it. */
function slotOf(text: string, start: number, end: number): number {
  const length = end - start;
  const hash =
    length +
    31 * text.charCodeAt(start + (length >> 1)) +
    961 * text.charCodeAt(start + (length >> 2)) +
    29_791 * text.charCodeAt(end - 1 - (length >> 3));
  return hash & (SLOTS - 1);
}

/** Remembers the base64 of recently encoded texts. */
export class Base64EncodeMemo {
  private readonly texts: (string | undefined)[] = new Array<string | undefined>(SLOTS).fill(
    undefined,
  );
  private readonly encoded: string[] = new Array<string>(SLOTS).fill('');

  encode(text: string): string {
    const length = text.length;
    if (length === 0) return '';
    if (length > MAX_MEMOIZED_LENGTH) return encodeBase64(text);
    const slot = slotOf(text, 0, length);
    if (this.texts[slot] === text) return this.encoded[slot]!;
    const encoded = encodeBase64(text);
    this.texts[slot] = text;
    this.encoded[slot] = encoded;
    return encoded;
  }
}

/** Remembers the text of recently decoded base64 slices of header values. */
export class Base64DecodeMemo {
  private readonly sources: (string | undefined)[] = new Array<string | undefined>(SLOTS).fill(
    undefined,
  );
  private readonly decoded: string[] = new Array<string>(SLOTS).fill('');

  /** decodeBase64Slice(source, start, end), memoized: the text, or undefined when it is not base64. */
  decode(source: string, start: number, end: number): string | undefined {
    const length = end - start;
    if (length === 0) return '';
    if (length > MAX_MEMOIZED_LENGTH) return decodeBase64Slice(source, start, end);
    const slot = slotOf(source, start, end);
    const known = this.sources[slot];
    // slice + === (a native compare of flat strings) rather than startsWith(known, start), which V8 runs char by
    // char once its call site has seen a few different strings: 3-10x slower on a 100-character value here.
    if (known !== undefined && known.length === length && source.slice(start, end) === known) {
      return this.decoded[slot];
    }
    const decoded = decodeBase64Slice(source, start, end);
    if (decoded !== undefined) {
      // A copy, not a slice: a slice would keep the whole header value alive for as long as the slot does.
      this.sources[slot] = copyAscii(source, start, end);
      this.decoded[slot] = decoded;
    }
    return decoded;
  }
}

const copyTarget = Buffer.allocUnsafeSlow(MAX_HEADER_LENGTH);

/** A fresh flat string of `source[start, end)`, which must be ASCII (base64 is) and at most 2 KB long. */
export function copyAscii(source: string, start: number, end: number): string {
  for (let i = start; i < end; i++) copyTarget[i - start] = source.charCodeAt(i);
  return copyTarget.toString('latin1', 0, end - start);
}
