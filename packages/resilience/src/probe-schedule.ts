import {
  ExponentialBackoff,
  decorrelatedJitterGenerator,
  type IBackoff,
  type IBackoffFactory,
  type IHalfOpenAfterBackoffContext,
} from 'cockatiel';

/**
 * The half-open delay, handed to cockatiel's breaker as its `halfOpenAfter` backoff factory.
 *
 * cockatiel advances the schedule (a fresh backoff when the breaker opens from closed, `.next()` each time a probe
 * fails and it re-opens, forgotten when it closes), but it measures the delay with `Date.now()`. The policy measures
 * it with its own clock instead and is the only caller that ever reaches an open breaker, so the backoff handed to
 * cockatiel reports a zero duration and this schedule remembers the real delay for the policy's gate.
 */
export class ProbeSchedule implements IBackoffFactory<IHalfOpenAfterBackoffContext> {
  private readonly delays: IBackoffFactory<unknown>;
  private lastDelay = 0;

  constructor(initialDelayMs: number, maxDelayMs: number) {
    this.delays = new ExponentialBackoff({
      initialDelay: initialDelayMs,
      maxDelay: maxDelayMs,
      generator: decorrelatedJitterGenerator,
    });
  }

  /** The delay chosen when the breaker last opened, in ms. */
  get lastDelayMs(): number {
    return this.lastDelay;
  }

  next(context: IHalfOpenAfterBackoffContext): IBackoff<IHalfOpenAfterBackoffContext> {
    return this.handOver(this.delays.next(context));
  }

  private handOver(delays: IBackoff<unknown>): IBackoff<IHalfOpenAfterBackoffContext> {
    this.lastDelay = delays.duration;
    return {
      duration: 0,
      next: (context) => this.handOver(delays.next(context)),
    };
  }
}
