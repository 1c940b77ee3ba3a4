import { Base64Decoder } from './base64-decoder.js';
import {
  decodeSw8Caller,
  decodeSw8Head,
  isSw8Caller,
  sw8Context,
  sw8Trace,
  type Sw8Caller,
  type Sw8Context,
  type Sw8Trace,
} from './sw8.js';

/** How many caller blocks a decoder remembers unless told otherwise (a power of two). */
export const DEFAULT_SW8_CALLERS = 64;
/** Longer caller blocks are decoded every time: remembering them would hold real memory for a rare value. */
const MAX_REMEMBERED_BLOCK_LENGTH = 512;

/**
 * decodeSw8 for a server: the same results, but the caller block of an incoming value (the caller's service,
 * instance, endpoint and the address it used: the last four fields) is decoded once per distinct block and then
 * recognised by a comparison, since a server hears the same few callers calling the same few endpoints. Each decoder
 * owns its memory, so the codec functions stay pure and two decoders never see each other's values.
 *
 * Bounded: `capacity` slots (rounded up to a power of two) of blocks up to 512 characters. A block may sit in either
 * of two slots picked by a hash of its characters; when both
 * are taken, a new block replaces one of them, alternately, so a client sending a new block on every request costs
 * only the decode it would cost anyway plus a copy. A block is found only by its exact text, so a changed block is
 * always decoded afresh; only blocks that decoded (four base64 fields) are kept, so a value whose block is found is
 * valid there too.
 */
export class Sw8Decoder {
  private readonly blocks: (string | undefined)[];
  private readonly callers: (Sw8Caller | undefined)[];
  private readonly mask: number;
  private evictSecond = false;
  // The ids of every value are decoded afresh: in JS into this decoder's own scratch, which end to end costs less
  // than the platform's atob.
  private readonly base64 = new Base64Decoder();
  // The two blocks found last, checked before hashing: a server behind one gateway hears the same block every time,
  // and one that calls itself (or answers two kinds of caller in turn) hears two in alternation.
  private lastBlock = '';
  private lastCaller: Sw8Caller | undefined;
  private previousBlock = '';
  private previousCaller: Sw8Caller | undefined;

  constructor(capacity: number = DEFAULT_SW8_CALLERS) {
    const wanted = Number.isInteger(capacity) && capacity > 0 ? capacity : DEFAULT_SW8_CALLERS;
    const slots = Math.max(2, 2 ** Math.ceil(Math.log2(wanted)));
    this.mask = slots - 1;
    this.blocks = new Array<string | undefined>(slots).fill(undefined);
    this.callers = new Array<Sw8Caller | undefined>(slots).fill(undefined);
  }

  /** The number of caller blocks remembered now. */
  get size(): number {
    return this.blocks.reduce((count, block) => (block === undefined ? count : count + 1), 0);
  }

  /** decodeSw8(value): the caller's context, or undefined for anything decodeSw8 refuses. */
  decode(value: string | undefined): Sw8Context | undefined {
    const head = decodeSw8Head(value, this.base64);
    if (head === undefined) return undefined;
    const caller = this.callerOf(value!, head.callerStart);
    return caller === undefined ? undefined : sw8Context(head, caller);
  }

  /** decodeSw8Trace(value): the trace position without the caller's names, for a caller that did not sample. */
  decodeTrace(value: string | undefined): Sw8Trace | undefined {
    const head = decodeSw8Head(value, this.base64);
    if (head === undefined) return undefined;
    // A remembered block was validated when it was decoded: finding it spares checking it again.
    const known = this.find(value!, head.callerStart) !== undefined;
    return known || isSw8Caller(value!, head.callerStart) ? sw8Trace(head) : undefined;
  }

  private callerOf(value: string, start: number): Sw8Caller | undefined {
    const known = this.find(value, start);
    if (known !== undefined) return known;
    const caller = decodeSw8Caller(value, start, this.base64);
    if (caller !== undefined) this.remember(value, start, caller);
    return caller;
  }

  private find(value: string, start: number): Sw8Caller | undefined {
    const end = value.length;
    if (end === start || end - start > MAX_REMEMBERED_BLOCK_LENGTH) return undefined;
    // slice + === is a native comparison of the characters.
    const block = value.slice(start);
    if (block === this.lastBlock) return this.lastCaller;
    if (block === this.previousBlock) {
      this.recent(this.previousBlock, this.previousCaller!);
      return this.lastCaller;
    }
    const hash = hashOf(value, start, end);
    const first = hash & this.mask;
    const second = (hash >>> 16) & this.mask;
    const slot = this.blocks[first] === block ? first : this.blocks[second] === block ? second : -1;
    if (slot < 0) return undefined;
    this.recent(this.blocks[slot]!, this.callers[slot]!);
    return this.lastCaller;
  }

  /** Makes `block` the last one found, the one before it the previous. */
  private recent(block: string, caller: Sw8Caller): void {
    if (block === this.lastBlock) return;
    this.previousBlock = this.lastBlock;
    this.previousCaller = this.lastCaller;
    this.lastBlock = block;
    this.lastCaller = caller;
  }

  private remember(value: string, start: number, caller: Sw8Caller): void {
    const end = value.length;
    if (end === start || end - start > MAX_REMEMBERED_BLOCK_LENGTH) return;
    const hash = hashOf(value, start, end);
    const first = hash & this.mask;
    const second = (hash >>> 16) & this.mask;
    let slot: number;
    if (this.blocks[first] === undefined) slot = first;
    else if (this.blocks[second] === undefined) slot = second;
    else {
      this.evictSecond = !this.evictSecond;
      slot = this.evictSecond ? second : first;
    }
    // A copy, not a slice: a slice would keep the whole header value alive for as long as the slot does. The
    // block is base64, so latin1 carries it exactly.
    const block = Buffer.from(value.slice(start), 'latin1').toString('latin1');
    this.blocks[slot] = block;
    this.callers[slot] = caller;
    this.recent(block, caller);
  }
}

/** FNV-1a over the characters of `text[start, end)`, then a final avalanche so that both slot indexes spread. */
function hashOf(text: string, start: number, end: number): number {
  let hash = 0x811c9dc5;
  for (let i = start; i < end; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  hash ^= hash >>> 15;
  hash = Math.imul(hash, 0x85ebca6b);
  return hash ^ (hash >>> 13);
}
