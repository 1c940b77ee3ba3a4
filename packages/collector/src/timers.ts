/** Timers the collector owns: unref'd so they never hold a process open, and cancelled together on stop. */
export class TimerSet {
  private readonly timers = new Set<NodeJS.Timeout>();

  schedule(callback: () => void, delayMs: number): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      callback();
    }, delayMs);
    timer.unref();
    this.timers.add(timer);
  }

  get size(): number {
    return this.timers.size;
  }

  clear(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}
