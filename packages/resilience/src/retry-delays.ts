import {
  ExponentialBackoff,
  decorrelatedJitterGenerator,
  type IBackoff,
  type IBackoffFactory,
  type IRetryBackoffContext,
} from 'cockatiel';

/**
 * Retry delays: cockatiel's exponential backoff with decorrelated jitter, stretched to the server's pushback when the
 * failed result names a longer one (the retry predicate has already refused pushbacks beyond `maxDelayMs`).
 */
export class RetryDelays implements IBackoffFactory<IRetryBackoffContext<unknown>> {
  private readonly backoff: IBackoffFactory<unknown>;

  constructor(
    initialDelayMs: number,
    maxDelayMs: number,
    private readonly pushbackMs: (result: unknown) => number | undefined,
  ) {
    this.backoff = new ExponentialBackoff({
      initialDelay: initialDelayMs,
      maxDelay: maxDelayMs,
      generator: decorrelatedJitterGenerator,
    });
  }

  next(context: IRetryBackoffContext<unknown>): IBackoff<IRetryBackoffContext<unknown>> {
    return this.honourPushback(this.backoff.next(context), context);
  }

  private honourPushback(
    backoff: IBackoff<unknown>,
    context: IRetryBackoffContext<unknown>,
  ): IBackoff<IRetryBackoffContext<unknown>> {
    const pushback = 'value' in context.result ? this.pushbackMs(context.result.value) : undefined;
    return {
      duration: validPushback(pushback) ? Math.max(backoff.duration, pushback) : backoff.duration,
      next: (nextContext) => this.honourPushback(backoff.next(nextContext), nextContext),
    };
  }
}

/** A pushback is honoured only when it is a finite, non-negative number of ms; anything else is ignored. */
export function validPushback(value: number | undefined): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}
