// The drain loop's only way to wait: one promise and at most one unref'd timer per wait (never one per item),
// resolved early by `wake()`. A process with nothing else to do exits even while the loop sleeps.

export class WakeableSleep {
  private resolve: (() => void) | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;

  get sleeping(): boolean {
    return this.resolve !== undefined;
  }

  /** Waits `ms` milliseconds, or until woken; `Infinity` waits only for `wake()`. */
  sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      this.resolve = resolve;
      if (Number.isFinite(ms)) {
        this.timer = setTimeout(() => this.wake(), Math.max(0, ms));
        this.timer.unref();
      }
    });
  }

  wake(): void {
    const resolve = this.resolve;
    if (resolve === undefined) return;
    this.resolve = undefined;
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    resolve();
  }
}
