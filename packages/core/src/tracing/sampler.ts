/**
 * Decides at trace start whether a new trace is recorded. A rate, not a per-window quota: the same fraction of
 * traffic is kept at any load, and the rate can be changed at run time (configuration discovery calls it).
 */
export class RateSampler {
  private rate = 1;

  constructor(
    rate = 1,
    private readonly random: () => number = Math.random,
  ) {
    this.setRate(rate);
  }

  /** Clamps to 0..1; a non-number leaves the rate unchanged so a bad remote value cannot disable tracing. */
  setRate(rate: number): void {
    if (typeof rate !== 'number' || Number.isNaN(rate)) return;
    this.rate = Math.min(1, Math.max(0, rate));
  }

  get sampleRate(): number {
    return this.rate;
  }

  shouldSample(): boolean {
    if (this.rate >= 1) return true;
    if (this.rate <= 0) return false;
    return this.random() < this.rate;
  }
}
