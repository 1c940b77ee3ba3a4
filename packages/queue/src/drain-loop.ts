// The one long-lived loop per queue: wait for a batch (full, or lingered long enough), take it, await the handler,
// settle, pause if told to, repeat. Every iteration is a fresh turn of `while`, never a nested call, so the stack
// inside the handler is the same after one failed batch or a hundred thousand.
import { OptionChecks } from '@windsock/options';
import type { Batch, DrainDecision, DrainOptions, SettleOutcome } from './types.js';
import { WakeableSleep } from './wakeable-sleep.js';

/** What the loop needs from its queue; the queue builds it from closures so none of it is public API. */
export interface DrainSource<T> {
  queued(): number;
  queuedBytes(): number;
  /** Exact arrival time of the oldest queued item when the queue records arrival times. */
  oldestArrival(): number | undefined;
  take(maxItems: number, maxBytes: number): Batch<T> | undefined;
  settle(batch: Batch<T>, outcome: SettleOutcome): void;
  /** Asks `offer` to wake `sleep` once the queue holds `items` items or `bytes` bytes. */
  wakeOnArrival(items: number, bytes: number, sleep: WakeableSleep): void;
  cancelArrivalWake(): void;
  flushPending(): boolean;
  now(): number;
}

export type DrainHandler<T> = (batch: Batch<T>) => DrainDecision | Promise<DrainDecision>;

interface LoopSettings {
  maxBatchItems: number;
  maxBatchBytes: number;
  lingerMs: number;
  requeuePauseMs: number;
}

/** How the queue's OptionsErrors begin: configuration mistakes are the caller's bug, thrown at construction. */
export const INVALID_QUEUE_OPTIONS = 'windsock queue: invalid options';

/** The loop's settings with defaults applied; throws one OptionsError listing every bad option. */
export function drainSettings(options: DrainOptions): LoopSettings {
  const settings: LoopSettings = {
    maxBatchItems: options.maxBatchItems ?? 128,
    maxBatchBytes: options.maxBatchBytes ?? 1024 * 1024,
    lingerMs: options.lingerMs ?? 100,
    requeuePauseMs: options.requeuePauseMs ?? 100,
  };
  const check = new OptionChecks();
  check.integer('maxBatchItems', settings.maxBatchItems, { min: 1 });
  check.number('maxBatchBytes', settings.maxBatchBytes, { above: 0 });
  check.delayMs('lingerMs', settings.lingerMs, { allowZero: true });
  check.delayMs('requeuePauseMs', settings.requeuePauseMs, { allowZero: true });
  check.throwIfAny(INVALID_QUEUE_OPTIONS);
  return settings;
}

const UNACKNOWLEDGED: SettleOutcome = { kind: 'dropped', reason: 'unacknowledged' };

export class DrainLoop<T> {
  private readonly sleep = new WakeableSleep();
  private stopping = false;
  readonly done: Promise<void>;

  constructor(
    private readonly source: DrainSource<T>,
    private readonly handler: DrainHandler<T>,
    private readonly settings: LoopSettings,
  ) {
    this.done = this.run();
  }

  /** Ends the loop after the batch in flight (if any) is settled; resolves then. */
  stop(): Promise<void> {
    this.stopping = true;
    this.source.cancelArrivalWake();
    this.sleep.wake();
    return this.done;
  }

  /** Cuts a linger wait short (a flush wants what is queued now). Pauses are not cut: they protect the backend. */
  expedite(): void {
    if (this.lingering) this.sleep.wake();
  }

  private lingering = false;

  private async run(): Promise<void> {
    const { source, settings, sleep } = this;
    // When the oldest waiting item arrived, as far as the loop knows (exact if the queue records arrival times).
    let lingerStart: number | undefined;
    let lastTakeAt = 0;
    while (!this.stopping) {
      if (source.queued() === 0) {
        source.wakeOnArrival(1, Infinity, sleep);
        await sleep.sleep(Infinity);
        source.cancelArrivalWake();
        lingerStart = source.queued() > 0 ? source.now() : undefined;
        continue;
      }
      lingerStart = source.oldestArrival() ?? lingerStart ?? lastTakeAt;
      const full =
        source.queued() >= settings.maxBatchItems || source.queuedBytes() >= settings.maxBatchBytes;
      if (!full && !source.flushPending()) {
        const wait = lingerStart + settings.lingerMs - source.now();
        if (wait > 0) {
          source.wakeOnArrival(settings.maxBatchItems, settings.maxBatchBytes, sleep);
          this.lingering = true;
          await sleep.sleep(wait);
          this.lingering = false;
          source.cancelArrivalWake();
          continue;
        }
      }
      const batch = source.take(settings.maxBatchItems, settings.maxBatchBytes);
      lastTakeAt = source.now();
      if (batch === undefined) {
        // Everything left had expired, or someone else holds the queue's one in-flight batch: do not spin.
        if (source.queued() > 0) await sleep.sleep(settings.requeuePauseMs);
        continue;
      }
      if (source.queued() === 0) lingerStart = undefined;
      const decision = await this.decide(batch);
      source.settle(batch, decision.outcome);
      let pauseMs = decision.pauseMs ?? 0;
      if (decision.outcome.kind === 'requeue') pauseMs = Math.max(pauseMs, settings.requeuePauseMs);
      // Items that arrived while the batch was in flight have waited since the take, at most.
      if (lingerStart === undefined && source.queued() > 0) lingerStart = lastTakeAt;
      if (pauseMs > 0 && !this.stopping) await sleep.sleep(pauseMs);
    }
  }

  /** The handler's decision, or `unacknowledged` when it threw or answered nonsense: the batch may have been sent. */
  private async decide(batch: Batch<T>): Promise<DrainDecision> {
    try {
      const decision = await this.handler(batch);
      if (!isSettleOutcome(decision?.outcome)) return { outcome: UNACKNOWLEDGED };
      const pauseMs = decision.pauseMs;
      return typeof pauseMs === 'number' && pauseMs > 0 && Number.isFinite(pauseMs)
        ? decision
        : { outcome: decision.outcome };
    } catch {
      return { outcome: UNACKNOWLEDGED };
    }
  }
}

function isSettleOutcome(value: unknown): value is SettleOutcome {
  if (typeof value !== 'object' || value === null) return false;
  const kind = (value as { kind?: unknown }).kind;
  return kind === 'delivered' || kind === 'requeue' || kind === 'dropped';
}
