/** Why an item left the queue without being delivered. Every drop is counted under exactly one reason. */
export type DropReason = 'overflow' | 'expired' | 'rejected' | 'unacknowledged' | 'shutdown';

export const DROP_REASONS: readonly DropReason[] = [
  'overflow',
  'expired',
  'rejected',
  'unacknowledged',
  'shutdown',
];

/** What to do when an offered item does not fit in the budget. */
export type OverflowPolicy = 'drop-oldest' | 'drop-newest';

/**
 * The result of `offer`. A string constant, so offering allocates nothing.
 * - `accepted`: queued, nothing dropped.
 * - `displaced`: queued, and one or more older items were dropped as `overflow` to make room.
 * - `overflow`: not queued (drop-newest, or the in-flight batch holds the room it needs), counted as `overflow`.
 * - `rejected`: not queued: larger than the whole byte budget, a non-finite or negative size; counted as `rejected`.
 * - `shutdown`: not queued: the queue is closed; counted as `shutdown`.
 */
export type OfferOutcome = 'accepted' | 'displaced' | 'overflow' | 'rejected' | 'shutdown';

/** How a taken batch ended. */
export type SettleOutcome =
  { kind: 'delivered' } | { kind: 'requeue' } | { kind: 'dropped'; reason: DropReason };

export interface BoundedQueueOptions<T = unknown> {
  /** Most items queued plus in flight. A positive integer. */
  maxItems: number;
  /** Most bytes queued plus in flight. A positive number. */
  maxBytes: number;
  /** Which item loses when a new one does not fit. Default `drop-oldest`. */
  overflow?: OverflowPolicy;
  /** Items older than this when they would be taken are dropped as `expired`. Default: no limit. */
  maxAgeMs?: number;
  /** Called once when an overflow episode starts and once when it ends, never per item. */
  onOverflow?: (event: OverflowEvent) => void;
  /** Clock in epoch milliseconds. Default `Date.now()`; tests inject their own or use fake timers. */
  now?: () => number;
  /**
   * Called exactly once for every item offered, when the queue lets it go for good: refused by `offer`, displaced,
   * expired, delivered, dropped or discarded (a requeued item is still held). An owner that keeps the items' bytes
   * elsewhere frees them here. It must not call back into the queue; what it throws is ignored.
   */
  onRelease?: (item: T) => void;
}

/** One overflow episode: `start` at its first drop, `end` at the first offer accepted without a drop. */
export interface OverflowEvent {
  phase: 'start' | 'end';
  /** Items dropped as `overflow` in this episode so far (1 at `start`, the total at `end`). */
  dropped: number;
}

export interface QueueStats {
  /** Every item ever offered, whatever became of it. */
  produced: number;
  /** Items settled as `delivered`. */
  delivered: number;
  queued: number;
  queuedBytes: number;
  inFlight: number;
  inFlightBytes: number;
  dropped: Record<DropReason, number>;
}

/** Items taken together, in FIFO order; settle it exactly once (a second settle is ignored). */
export interface Batch<T> {
  readonly items: readonly T[];
  readonly bytes: number;
}

/** What a drain handler tells the loop about one batch. */
export interface DrainDecision {
  outcome: SettleOutcome;
  /** Sleep this long before taking the next batch (an open circuit breaker idles the loop this way). */
  pauseMs?: number;
}

export interface DrainOptions {
  /** Most items per batch. Default 128. */
  maxBatchItems?: number;
  /** Most bytes per batch (a single larger item still goes alone). Default 1 MiB. */
  maxBatchBytes?: number;
  /** How long a partial batch may wait for more items, from its oldest item. Default 100 ms. */
  lingerMs?: number;
  /** The least the loop sleeps after a `requeue` outcome that named no pause, so a fast failure cannot spin. Default 100 ms. */
  requeuePauseMs?: number;
  /** Stops the loop (as `close()` does) when aborted. */
  signal?: AbortSignal;
}

export interface FlushResult {
  /** True when everything queued or in flight at the call was settled in time. */
  done: boolean;
  /** Of those items, how many were still queued or in flight when it resolved. */
  remaining: number;
}
