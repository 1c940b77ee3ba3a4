// The callers of `flush()` still waiting: each waits for the items that were queued or in flight at its call to
// settle, and resolves then, at its timeout, or when its signal aborts, whichever comes first. Kept apart from the
// queue, which only tells it how far settlement has got.
import type { FlushResult } from './types.js';

interface FlushWaiter {
  /** Items with a lower sequence number were queued or in flight when `flush` was called. */
  target: number;
  resolve: (result: FlushResult) => void;
  timer: ReturnType<typeof setTimeout>;
  /** Stops listening to the caller's abort signal. */
  release: () => void;
}

export class FlushWaiters {
  private waiters: FlushWaiter[] = [];

  get pending(): boolean {
    return this.waiters.length > 0;
  }

  /**
   * Resolves done once `settledUpTo` is told of an oldest unsettled item at or past `target`; at the timeout or an
   * abort, with what `remaining` counts then. The timer is unref'd: a flush never keeps the process alive.
   */
  wait(
    target: number,
    timeoutMs: number,
    signal: AbortSignal | undefined,
    remaining: () => number,
  ): Promise<FlushResult> {
    return new Promise<FlushResult>((resolve) => {
      const giveUp = (): void => {
        if (!this.waiters.includes(waiter)) return; // settled meanwhile
        this.waiters = this.waiters.filter((w) => w !== waiter);
        clearTimeout(waiter.timer);
        waiter.release();
        resolve({ done: false, remaining: remaining() });
      };
      const waiter: FlushWaiter = {
        target,
        resolve,
        timer: setTimeout(giveUp, Number.isFinite(timeoutMs) ? Math.max(0, timeoutMs) : 0),
        release: () => signal?.removeEventListener('abort', giveUp),
      };
      waiter.timer.unref();
      signal?.addEventListener('abort', giveUp, { once: true });
      this.waiters.push(waiter);
    });
  }

  /** Every item older than `oldest`, the oldest unsettled sequence number, has settled: resolves who waited for it. */
  settledUpTo(oldest: number): void {
    const still: FlushWaiter[] = [];
    for (const waiter of this.waiters) {
      if (oldest >= waiter.target) {
        clearTimeout(waiter.timer);
        waiter.release();
        waiter.resolve({ done: true, remaining: 0 });
      } else {
        still.push(waiter);
      }
    }
    this.waiters = still;
  }
}
