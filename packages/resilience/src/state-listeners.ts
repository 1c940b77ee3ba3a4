import type { StateChange } from './outcome.js';

export type StateListener = (change: StateChange) => void;

/** The listeners of one policy's state transitions. */
export class StateListeners {
  private readonly listeners = new Set<StateListener>();

  /** Adds `listener`; returns the function that removes it. */
  add(listener: StateListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  get size(): number {
    return this.listeners.size;
  }

  clear(): void {
    this.listeners.clear();
  }

  /** Calls every listener with `change()`, built only when someone listens. */
  notify(change: () => StateChange): void {
    if (this.listeners.size === 0) return;
    const value = change();
    for (const listener of this.listeners) {
      // A listener runs inside the breaker's transition; its failure must not corrupt the breaker or reach the
      // caller, and it cannot be logged here without risking the feedback loop windsock exists to avoid.
      try {
        listener(value);
      } catch {
        // ignored by design, see above
      }
    }
  }
}
