import { vi } from 'vitest';
import { type Timers } from '../src/index.js';

interface Pending {
  callback: () => void;
  ms: number;
}

/** Timers driven by the test: nothing fires until `fire` runs the pending timer with the given delay. */
export class ManualTimers implements Timers {
  private readonly pending = new Set<Pending>();

  setTimeout(callback: () => void, ms: number): unknown {
    const entry = { callback, ms };
    this.pending.add(entry);
    return entry;
  }

  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as Pending);
  }

  delays(): number[] {
    return [...this.pending].map((entry) => entry.ms).sort((a, b) => a - b);
  }

  /** Waits (in real time, the calls are real) until a timer of `ms` is armed, then fires it. */
  async fire(ms: number): Promise<void> {
    const entry = await vi.waitFor(
      () => {
        const armed = [...this.pending].find((candidate) => candidate.ms === ms);
        if (armed === undefined) throw new Error(`no ${ms} ms timer was armed`);
        return armed;
      },
      { timeout: 5_000, interval: 10 },
    );
    this.pending.delete(entry);
    entry.callback();
  }
}
