// A bounded, byte-budgeted FIFO for encoded telemetry frames. The application's threads only ever call `offer`,
// which is O(1), synchronous, never throws and allocates nothing once the ring is warm; everything slow (sending,
// waiting, retrying) happens in the one drain loop. Every item offered is, at every moment, exactly one of:
// delivered, dropped under a named reason, queued, or in flight.
import { OptionChecks, OptionsError } from '@windsock/options';
import {
  DrainLoop,
  drainSettings,
  INVALID_QUEUE_OPTIONS,
  type DrainHandler,
  type DrainSource,
} from './drain-loop.js';
import { FlushWaiters } from './flush-waiters.js';
import { Ring } from './ring.js';
import {
  DROP_REASONS,
  type Batch,
  type BoundedQueueOptions,
  type DrainOptions,
  type DropReason,
  type FlushResult,
  type OfferOutcome,
  type OverflowEvent,
  type OverflowPolicy,
  type QueueStats,
  type SettleOutcome,
} from './types.js';
import type { WakeableSleep } from './wakeable-sleep.js';

const OVERFLOW_POLICIES: readonly OverflowPolicy[] = ['drop-oldest', 'drop-newest'];

/** A taken batch, with what `requeue` needs to put it back exactly where it was. */
class InFlightBatch<T> implements Batch<T> {
  constructor(
    readonly items: T[],
    readonly bytes: number,
    readonly sizes: number[],
    readonly seqs: number[],
    readonly times: number[] | undefined,
  ) {}
}

export class BoundedQueue<T> {
  readonly maxItems: number;
  readonly maxBytes: number;
  readonly overflow: OverflowPolicy;
  readonly maxAgeMs: number | undefined;

  private readonly ring: Ring<T>;
  private readonly now: () => number;
  private readonly onOverflow: ((event: OverflowEvent) => void) | undefined;
  private readonly onRelease: ((item: T) => void) | undefined;
  private queuedBytes = 0;
  private produced = 0;
  private delivered = 0;
  private readonly dropped: Record<DropReason, number> = {
    overflow: 0,
    expired: 0,
    rejected: 0,
    unacknowledged: 0,
    shutdown: 0,
  };
  private inFlight: InFlightBatch<T> | undefined;
  private closed = false;
  /** Overflow drops in the current episode; 0 when no episode is under way. */
  private episodeDrops = 0;
  private emittingOverflow = false;
  private arrivalWake: { items: number; bytes: number; sleep: WakeableSleep } | undefined;
  private readonly flushes = new FlushWaiters();
  private loop: DrainLoop<T> | undefined;

  constructor(options: BoundedQueueOptions<T>) {
    if (typeof options !== 'object' || options === null) {
      const expected = 'an object with maxItems and maxBytes';
      throw new OptionsError(
        [{ name: 'options', value: String(options), expected }],
        INVALID_QUEUE_OPTIONS,
      );
    }
    const check = new OptionChecks();
    check.integer('maxItems', options.maxItems, { min: 1 });
    check.number('maxBytes', options.maxBytes, { above: 0 });
    const overflow = options.overflow ?? 'drop-oldest';
    check.oneOf('overflow', overflow, OVERFLOW_POLICIES);
    if (options.maxAgeMs !== undefined) check.number('maxAgeMs', options.maxAgeMs, { min: 0 });
    if (options.onOverflow !== undefined) check.function('onOverflow', options.onOverflow);
    if (options.now !== undefined) check.function('now', options.now);
    if (options.onRelease !== undefined) check.function('onRelease', options.onRelease);
    check.throwIfAny(INVALID_QUEUE_OPTIONS);
    this.maxItems = options.maxItems;
    this.maxBytes = options.maxBytes;
    this.overflow = overflow;
    this.maxAgeMs = options.maxAgeMs;
    this.onOverflow = options.onOverflow;
    this.onRelease = options.onRelease;
    this.now = options.now ?? (() => Date.now());
    this.ring = new Ring<T>(this.maxItems, this.maxAgeMs !== undefined);
  }

  /** Queues one encoded item of `bytes` bytes. O(1); never throws, never blocks. */
  offer(item: T, bytes: number): OfferOutcome {
    const seq = this.produced++;
    if (this.closed) {
      this.dropped.shutdown++;
      this.release(item);
      return 'shutdown';
    }
    if (typeof bytes !== 'number' || !(bytes >= 0) || bytes > this.maxBytes) {
      // Also catches NaN and Infinity: neither compares as wanted.
      this.dropped.rejected++;
      this.release(item);
      return 'rejected';
    }
    const ring = this.ring;
    const inFlightItems = this.inFlight === undefined ? 0 : this.inFlight.items.length;
    const inFlightBytes = this.inFlight === undefined ? 0 : this.inFlight.bytes;
    if (
      ring.count + inFlightItems < this.maxItems &&
      this.queuedBytes + inFlightBytes + bytes <= this.maxBytes
    ) {
      this.push(item, bytes, seq);
      if (this.episodeDrops > 0) this.endEpisode();
      return 'accepted';
    }
    // The batch in flight cannot be dropped (it may be on the wire); if it alone leaves no room, the newcomer goes.
    if (
      this.overflow === 'drop-newest' ||
      inFlightItems >= this.maxItems ||
      inFlightBytes + bytes > this.maxBytes
    ) {
      this.release(item);
      this.countOverflow(1);
      return 'overflow';
    }
    let drops = 0;
    while (
      ring.count + inFlightItems >= this.maxItems ||
      this.queuedBytes + inFlightBytes + bytes > this.maxBytes
    ) {
      this.release(ring.frontItem());
      this.queuedBytes -= ring.dropFront();
      drops++;
    }
    this.push(item, bytes, seq);
    if (this.flushes.pending) this.checkFlushes();
    // Last, once the queue is consistent: the listener may well offer into this queue again.
    this.countOverflow(drops);
    return 'displaced';
  }

  private push(item: T, bytes: number, seq: number): void {
    this.ring.pushBack(item, bytes, seq, this.maxAgeMs === undefined ? 0 : this.now());
    this.queuedBytes += bytes;
    const wake = this.arrivalWake;
    if (wake !== undefined && (this.ring.count >= wake.items || this.queuedBytes >= wake.bytes)) {
      this.arrivalWake = undefined;
      wake.sleep.wake();
    }
  }

  /**
   * Moves up to `maxItems` items / `maxBytes` bytes (at least one item, however large) from the head to in flight.
   * Undefined when nothing is queued, or while another batch is in flight: one batch at a time keeps FIFO order
   * exact when a batch is requeued.
   */
  take(
    maxItems = Number.POSITIVE_INFINITY,
    maxBytes = Number.POSITIVE_INFINITY,
  ): Batch<T> | undefined {
    if (this.inFlight !== undefined) return undefined;
    this.expire();
    const ring = this.ring;
    if (ring.count === 0) return undefined;
    // Count first, then copy into arrays of the exact size: no growth while copying.
    let n = 0;
    let bytes = 0;
    while (n < ring.count && n < maxItems) {
      const size = ring.sizeAt(n);
      if (n > 0 && bytes + size > maxBytes) break;
      bytes += size;
      n++;
    }
    const items = new Array<T>(n);
    const sizes = new Array<number>(n);
    const seqs = new Array<number>(n);
    const times = this.maxAgeMs === undefined ? undefined : new Array<number>(n);
    ring.moveFront(n, items, sizes, seqs, times);
    this.queuedBytes -= bytes;
    this.inFlight = new InFlightBatch(items, bytes, sizes, seqs, times);
    return this.inFlight;
  }

  /** Ends a taken batch. A second settle of the same batch, or of a batch from another queue, is ignored. */
  settle(batch: Batch<T>, outcome: SettleOutcome): void {
    const inFlight = this.inFlight;
    if (batch !== inFlight || inFlight === undefined) return;
    this.inFlight = undefined;
    const n = inFlight.items.length;
    if (outcome?.kind !== 'requeue') this.releaseAll(inFlight.items);
    switch (outcome?.kind) {
      case 'delivered':
        this.delivered += n;
        break;
      case 'requeue':
        this.ring.pushFront(inFlight.items, inFlight.sizes, inFlight.seqs, inFlight.times);
        this.queuedBytes += inFlight.bytes;
        break;
      case 'dropped':
        // An unknown reason from untyped code is still counted (as the most cautious one), never lost.
        this.dropped[DROP_REASONS.includes(outcome.reason) ? outcome.reason : 'unacknowledged'] +=
          n;
        break;
      default:
        this.dropped.unacknowledged += n;
    }
    if (this.flushes.pending) this.checkFlushes();
  }

  /**
   * Settles the batch in flight now, whoever holds it: for a shutdown that cannot wait for the drain loop. The
   * holder's own settle of that batch comes second, so it is ignored.
   */
  settleInFlight(outcome: SettleOutcome): void {
    if (this.inFlight !== undefined) this.settle(this.inFlight, outcome);
  }

  /** Drops every queued item (not the one in flight) under `reason`; returns how many. */
  discard(reason: DropReason): number {
    const reasonCounted = DROP_REASONS.includes(reason) ? reason : 'unacknowledged';
    const n = this.ring.count;
    while (this.ring.count > 0) {
      this.release(this.ring.frontItem());
      this.ring.dropFront();
    }
    this.queuedBytes = 0;
    this.dropped[reasonCounted] += n;
    if (this.flushes.pending) this.checkFlushes();
    return n;
  }

  /** A fresh snapshot of the counters; `produced === delivered + Σ dropped + queued + inFlight` always holds. */
  stats(): QueueStats {
    return {
      produced: this.produced,
      delivered: this.delivered,
      queued: this.ring.count,
      queuedBytes: this.queuedBytes,
      inFlight: this.inFlight === undefined ? 0 : this.inFlight.items.length,
      inFlightBytes: this.inFlight === undefined ? 0 : this.inFlight.bytes,
      dropped: { ...this.dropped },
    };
  }

  /**
   * Starts the queue's one drain loop; resolves when it stops (`close()` or `signal`). The loop waits until a batch
   * is full or `lingerMs` has passed since its oldest item, awaits `handler(batch)`, settles the batch with the
   * outcome it returns, and sleeps `pauseMs` if given. A handler that throws settles its batch as `unacknowledged`.
   */
  drain(handler: DrainHandler<T>, options: DrainOptions = {}): Promise<void> {
    if (this.loop !== undefined)
      return Promise.reject(new Error('this queue is already being drained'));
    const settings = drainSettings(options);
    const signal = options.signal;
    if (this.closed || signal?.aborted === true) return Promise.resolve();
    const loop = new DrainLoop(this.drainSource(), handler, settings);
    this.loop = loop;
    const onAbort = (): void => void loop.stop();
    signal?.addEventListener('abort', onAbort, { once: true });
    return loop.done.finally(() => {
      signal?.removeEventListener('abort', onAbort);
      if (this.loop === loop) this.loop = undefined;
    });
  }

  /**
   * Waits until everything queued or in flight now is settled (delivered or dropped), or `timeoutMs` has passed, or
   * `signal` aborts (then it resolves at once, as at the timeout). Never rejects. Cuts the drain loop's linger
   * short, but not a pause: an open breaker keeps the backend resting.
   */
  flush(timeoutMs: number, signal?: AbortSignal): Promise<FlushResult> {
    const target = this.produced;
    if (this.oldestUnsettledSeq() >= target) return Promise.resolve({ done: true, remaining: 0 });
    if (signal?.aborted === true)
      return Promise.resolve({ done: false, remaining: this.unsettledBefore(target) });
    const settled = this.flushes.wait(target, timeoutMs, signal, () =>
      this.unsettledBefore(target),
    );
    this.loop?.expedite();
    return settled;
  }

  /**
   * Stops the drain loop once its in-flight batch is settled, and refuses later offers (counted as `shutdown`).
   * Queued items stay queued and counted; `discard('shutdown')` drops them.
   */
  async close(): Promise<void> {
    this.closed = true;
    await this.loop?.stop();
  }

  /** Tells the owner an item is gone for good (see `onRelease`); its failure must not become the caller's. */
  private release(item: T): void {
    if (this.onRelease === undefined) return;
    try {
      this.onRelease(item);
    } catch {
      // As for onOverflow: the owner's bookkeeping must not break `offer` or a settle.
    }
  }

  private releaseAll(items: readonly T[]): void {
    if (this.onRelease === undefined) return;
    for (const item of items) this.release(item);
  }

  private countOverflow(n: number): void {
    this.dropped.overflow += n;
    // Drops caused from inside the listener itself are counted but do not open or extend an episode.
    if (this.emittingOverflow) return;
    const starting = this.episodeDrops === 0;
    this.episodeDrops += n;
    if (starting) this.emitOverflow({ phase: 'start', dropped: this.episodeDrops });
  }

  private endEpisode(): void {
    if (this.emittingOverflow) return; // an offer from inside the listener does not end the episode it reports
    const dropped = this.episodeDrops;
    this.episodeDrops = 0;
    this.emitOverflow({ phase: 'end', dropped });
  }

  /** Calls the overflow listener without ever letting it throw into `offer`, or re-enter itself. */
  private emitOverflow(event: OverflowEvent): void {
    if (this.onOverflow === undefined || this.emittingOverflow) return;
    this.emittingOverflow = true;
    try {
      this.onOverflow(event);
    } catch {
      // The listener is diagnostics; its failure must not become the application's.
    } finally {
      this.emittingOverflow = false;
    }
  }

  private expire(): void {
    if (this.maxAgeMs === undefined) return;
    const cutoff = this.now() - this.maxAgeMs;
    const ring = this.ring;
    let expired = 0;
    while (ring.count > 0 && ring.frontTime()! < cutoff) {
      this.release(ring.frontItem());
      this.queuedBytes -= ring.dropFront();
      expired++;
    }
    if (expired === 0) return;
    this.dropped.expired += expired;
    if (this.flushes.pending) this.checkFlushes();
  }

  /** Sequence number of the oldest item not yet settled (the queue is in sequence order, in-flight batch first). */
  private oldestUnsettledSeq(): number {
    if (this.inFlight !== undefined) return this.inFlight.seqs[0]!;
    return this.ring.count > 0 ? this.ring.frontSeq() : Number.POSITIVE_INFINITY;
  }

  private unsettledBefore(target: number): number {
    const inFlight =
      this.inFlight === undefined ? 0 : this.inFlight.seqs.filter((s) => s < target).length;
    return inFlight + this.ring.countBefore(target);
  }

  private checkFlushes(): void {
    this.flushes.settledUpTo(this.oldestUnsettledSeq());
  }

  private drainSource(): DrainSource<T> {
    return {
      queued: () => this.ring.count,
      queuedBytes: () => this.queuedBytes,
      oldestArrival: () => (this.ring.count > 0 ? this.ring.frontTime() : undefined),
      take: (maxItems, maxBytes) => this.take(maxItems, maxBytes),
      settle: (batch, outcome) => this.settle(batch, outcome),
      wakeOnArrival: (items, bytes, sleep) => {
        this.arrivalWake = { items, bytes, sleep };
      },
      cancelArrivalWake: () => {
        this.arrivalWake = undefined;
      },
      flushPending: () => this.flushes.pending,
      now: this.now,
    };
  }
}
