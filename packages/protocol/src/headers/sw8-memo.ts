// Memos for the parts of `sw8` that repeat between an incoming and an outgoing header, built like the base64 memos
// (base64-memo.ts): fixed size, so each holds a bounded number of short strings, and a miss costs no more than the
// work it would have saved.
import { copyAscii, firstSlot, hashOf, Placement, secondSlot } from './base64-memo.js';

/** The caller's part of an incoming `sw8`: its last four fields, decoded. */
export interface CallerNames {
  readonly service: string;
  readonly serviceInstance: string;
  readonly endpoint: string;
  readonly addressUsedAtClient: string;
}

const CALLER_SLOTS = 64;
/** Longer blocks are not memoized (each name is, up to 256 characters). */
const MAX_CALLER_BLOCK_LENGTH = 512;

/**
 * Remembers decoded `service-instance-endpoint-address` blocks of incoming `sw8` values. Callers are few and each
 * calls a few endpoints, so on a server nearly every request repeats a block: recognising it takes one native
 * comparison instead of finding three separators and looking up four names. Only validated blocks (exactly four
 * base64 fields) are stored, so a value whose block equals a stored one is valid there too.
 */
export class CallerMemo {
  private readonly blocks: (string | undefined)[] = new Array<string | undefined>(
    CALLER_SLOTS,
  ).fill(undefined);
  private readonly names: (CallerNames | undefined)[] = new Array<CallerNames | undefined>(
    CALLER_SLOTS,
  ).fill(undefined);
  private readonly placement = new Placement();

  /** The names of `value[start, value.length)` if that block was remembered. */
  lookup(value: string, start: number): CallerNames | undefined {
    const length = value.length - start;
    if (length === 0 || length > MAX_CALLER_BLOCK_LENGTH) return undefined;
    const hash = hashOf(value, start, value.length);
    // slice + ===, not startsWith(known, start): see Base64DecodeMemo.decode.
    const block = value.slice(start);
    const first = firstSlot(hash, CALLER_SLOTS);
    if (this.blocks[first] === block) return this.names[first];
    const second = secondSlot(hash, CALLER_SLOTS);
    if (this.blocks[second] === block) return this.names[second];
    return undefined;
  }

  remember(value: string, start: number, names: CallerNames): void {
    const length = value.length - start;
    if (length === 0 || length > MAX_CALLER_BLOCK_LENGTH) return;
    const hash = hashOf(value, start, value.length);
    const slot = this.placement.pick(
      this.blocks,
      firstSlot(hash, CALLER_SLOTS),
      secondSlot(hash, CALLER_SLOTS),
    );
    // A copy, not a slice: a slice would keep the whole header value alive for as long as the slot does.
    this.blocks[slot] = copyAscii(value, start, value.length);
    this.names[slot] = names;
  }
}

const ID_SLOTS = 32;

/**
 * Remembers the base64 of trace ids that arrived in `sw8` headers, as the slice of the header they came in, so that
 * the exit spans continuing such a trace send it on without encoding it again. Only canonical slices of ASCII ids
 * are remembered (decodeSw8 checks), so the slice is exactly what encoding the id gives. A slot holds a slice of one
 * header value (at most 2 KB), so the memo keeps at most 32 of them alive.
 */
export class HeaderIdMemo {
  private readonly ids: (string | undefined)[] = new Array<string | undefined>(ID_SLOTS).fill(
    undefined,
  );
  private readonly encoded: string[] = new Array<string>(ID_SLOTS).fill('');

  remember(id: string, source: string, start: number, end: number): void {
    const slot = idSlot(id);
    this.ids[slot] = id;
    this.encoded[slot] = source.slice(start, end);
  }

  /** The base64 of `id`, if it came in a header recently; otherwise undefined. */
  encodedOf(id: string): string | undefined {
    const slot = idSlot(id);
    return this.ids[slot] === id ? this.encoded[slot] : undefined;
  }
}

/** Ids of one trace source differ in their last characters (a counter), so those are hashed. */
function idSlot(id: string): number {
  const length = id.length;
  if (length < 2) return length;
  const hash =
    length +
    31 * id.charCodeAt(length - 1) +
    961 * id.charCodeAt(length - 2) +
    29_791 * id.charCodeAt(length >> 1);
  return hash & (ID_SLOTS - 1);
}
