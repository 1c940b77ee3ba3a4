import {
  isBrokenCircuitError,
  type CircuitBreakerPolicy,
  type Event,
  type IDefaultPolicyContext,
  type IFailureEvent,
  type IPolicy,
  type ISuccessEvent,
} from 'cockatiel';
import { CancelledByCaller } from './caller-cancellation.js';
import type { PolicyCounters } from './policy-counters.js';
import { PolicyEvents } from './policy-events.js';

/**
 * The breaker as a report policy's attempts meet it: whichever breaker is current (`reset()` replaces it, and a retry
 * that outlives a reset goes through the new one), with each attempt's outcome counted as that breaker judged it. A
 * failed result, a thrown error or a timeout is a failure, anything else a success; a caller's cancellation and the
 * breaker's own refusal are neither, since the backend was not at fault in either.
 */
export class CountedBreaker implements IPolicy {
  declare readonly _altReturn: never;
  private events: PolicyEvents | undefined;

  constructor(
    private readonly current: () => CircuitBreakerPolicy,
    private readonly counter: PolicyCounters,
    private readonly isFailure: (result: unknown) => boolean,
  ) {}

  get onSuccess(): Event<ISuccessEvent> {
    return (this.events ??= new PolicyEvents()).onSuccess;
  }

  get onFailure(): Event<IFailureEvent> {
    return (this.events ??= new PolicyEvents()).onFailure;
  }

  execute<R>(
    fn: (context: IDefaultPolicyContext) => PromiseLike<R> | R,
    signal?: AbortSignal,
  ): Promise<R> {
    return this.events?.listening
      ? this.events.observe(() => this.run(fn, signal))
      : this.run(fn, signal);
  }

  private async run<R>(
    fn: (context: IDefaultPolicyContext) => PromiseLike<R> | R,
    signal: AbortSignal | undefined,
  ): Promise<R> {
    try {
      const result = await this.current().execute(fn, signal);
      if (this.isFailure(result)) this.counter.failure(result);
      else this.counter.success();
      return result;
    } catch (error) {
      if (!(error instanceof CancelledByCaller) && !isBrokenCircuitError(error)) {
        this.counter.failure(error);
      }
      throw error;
    }
  }
}
