// Small caches for the header fields that repeat: a process sends the same service and instance name on every call,
// endpoints and peers come from a short list, and a server hears the same few callers. Each is two-way
// set-associative: a value may sit in either of two slots picked by its hash, and a new value evicts one of them
// (alternately), so a few dozen values in constant use do not keep evicting each other, each memo holds a fixed
// number of strings, and a lookup costs a few character reads plus at most two comparisons. Base64 is a pure
// function, so a hit returns exactly what encoding or decoding again would.
import { decodeBase64Slice, encodeBase64 } from './base64.js';
import { MAX_HEADER_LENGTH } from './limits.js';

const SLOTS = 64;
/** Longer values are not memoized: they are rare and would make the memo hold real memory. */
const MAX_MEMOIZED_LENGTH = 256;

/**
 * A cheap hash of `text[start, end)` (not empty): its length and eight characters spread over it, mixed (FNV-1a,
 * then a final avalanche) so that values differing in a few places spread over the slots. Every index read is
 * inside the range (one past either end of the string would make V8 deoptimize).
 */
export function hashOf(text: string, start: number, end: number): number {
  const length = end - start;
  let hash = length;
  const last = end - 1;
  for (let k = 0; k < 8; k++) {
    hash = Math.imul(hash ^ text.charCodeAt(last - (((length - 1) * k) >> 3)), 0x01000193);
  }
  hash ^= hash >>> 15;
  hash = Math.imul(hash, 0x85ebca6b);
  return hash ^ (hash >>> 13);
}

/** The two slots of a hash. */
export function firstSlot(hash: number, slots: number): number {
  return hash & (slots - 1);
}
export function secondSlot(hash: number, slots: number): number {
  return (hash >>> 16) & (slots - 1);
}

/** Where to store a new value: a free one of its two slots, else one of them, alternately. */
export class Placement {
  private evictSecond = false;

  pick(keys: readonly unknown[], first: number, second: number): number {
    if (keys[first] === undefined) return first;
    if (keys[second] === undefined) return second;
    this.evictSecond = !this.evictSecond;
    return this.evictSecond ? second : first;
  }
}

/** Remembers the base64 of recently encoded texts. */
export class Base64EncodeMemo {
  private readonly texts: (string | undefined)[] = new Array<string | undefined>(SLOTS).fill(
    undefined,
  );
  private readonly encoded: string[] = new Array<string>(SLOTS).fill('');
  private readonly placement = new Placement();
  // The last value, checked before hashing: a field that repeats call after call (this process's service and
  // instance, the endpoint of a segment) is then one comparison, usually of the same string object.
  private lastText = '';
  private lastEncoded = '';

  encode(text: string): string {
    if (text === this.lastText) return this.lastEncoded;
    const length = text.length;
    if (length > MAX_MEMOIZED_LENGTH) return encodeBase64(text);
    const encoded = this.lookupOrEncode(text, length);
    this.lastText = text;
    this.lastEncoded = encoded;
    return encoded;
  }

  private lookupOrEncode(text: string, length: number): string {
    if (length === 0) return '';
    const hash = hashOf(text, 0, length);
    const first = firstSlot(hash, SLOTS);
    if (this.texts[first] === text) return this.encoded[first]!;
    const second = secondSlot(hash, SLOTS);
    if (this.texts[second] === text) return this.encoded[second]!;
    const encoded = encodeBase64(text);
    const slot = this.placement.pick(this.texts, first, second);
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
  private readonly placement = new Placement();

  /** decodeBase64Slice(source, start, end), memoized: the text, or undefined when it is not base64. */
  decode(source: string, start: number, end: number): string | undefined {
    const length = end - start;
    if (length === 0) return '';
    if (length > MAX_MEMOIZED_LENGTH) return decodeBase64Slice(source, start, end);
    const hash = hashOf(source, start, end);
    const first = firstSlot(hash, SLOTS);
    const second = secondSlot(hash, SLOTS);
    // slice + === (a native compare of flat strings) rather than startsWith(known, start), which V8 runs char by
    // char once its call site has seen a few different strings: 3-10x slower on a 100-character value here.
    const slice = source.slice(start, end);
    if (this.sources[first] === slice) return this.decoded[first];
    if (this.sources[second] === slice) return this.decoded[second];
    const decoded = decodeBase64Slice(source, start, end);
    if (decoded !== undefined) {
      const slot = this.placement.pick(this.sources, first, second);
      // A copy, not the slice: a slice would keep the whole header value alive for as long as the slot does.
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
