/** The values a condition returns while it does not hold yet. */
export type NotYet = undefined | null | false | 0 | '';

/** A condition returns a truthy value once it holds; that value resolves the wait. */
export type Condition<T> = () => T | NotYet;

interface Waiter {
  check(): boolean;
  fail(error: Error): void;
}

/**
 * Promises that resolve when a condition over the collector's state holds. Conditions are re-checked after every
 * change instead of on a polling timer, so a wait ends as soon as the data is there.
 */
export class ConditionWaiters {
  private readonly waiters = new Set<Waiter>();

  waitFor<T>(condition: Condition<T>, timeoutMs: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const settleIfTrue = (): boolean => {
        const value = condition();
        if (!value) return false;
        cleanup();
        resolve(value);
        return true;
      };
      // A waiting test must not keep a finished process alive, hence unref.
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`waitFor: condition still false after ${timeoutMs} ms`));
      }, timeoutMs);
      timer.unref();
      const waiter: Waiter = {
        check: settleIfTrue,
        fail: (error) => {
          cleanup();
          reject(error);
        },
      };
      const cleanup = (): void => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
      };
      this.waiters.add(waiter);
      try {
        settleIfTrue();
      } catch (error) {
        waiter.fail(error instanceof Error ? error : new Error(String(error)));
      }
    });
  }

  /** Re-checks every pending condition; a condition that throws rejects its own wait only. */
  notify(): void {
    for (const waiter of [...this.waiters]) {
      try {
        waiter.check();
      } catch (error) {
        waiter.fail(error instanceof Error ? error : new Error(String(error)));
      }
    }
  }

  /** Rejects every pending wait, e.g. when the collector stops. */
  failAll(error: Error): void {
    for (const waiter of [...this.waiters]) waiter.fail(error);
  }

  get pending(): number {
    return this.waiters.size;
  }
}
