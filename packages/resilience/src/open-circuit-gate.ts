import {
  CircuitState,
  type Event,
  type IDefaultPolicyContext,
  type IFailureEvent,
  type IPolicy,
  type ISuccessEvent,
} from 'cockatiel';
import { PolicyEvents } from './policy-events.js';

/** What a retry answers instead of sending when it must not send any more. */
export class Skipped {
  constructor(readonly reason: 'open' | 'isolated' | 'cancelled') {}
}
const SKIPPED_OPEN = new Skipped('open');
const SKIPPED_ISOLATED = new Skipped('isolated');
const SKIPPED_CANCELLED = new Skipped('cancelled');

/**
 * One call's gate in front of the breaker. The first pass is the attempt the report policy already admitted (the
 * half-open trial among them) and goes through; every later pass is a retry, which is answered `Skipped` instead of
 * sent unless the breaker is closed now: the backoff sleep ignores the signal, and another call may have opened the
 * breaker meanwhile. A breaker that is not closed would otherwise take the retry as its half-open trial.
 * It is made per call because `wrap()` hands a policy no attempt number, only its own passes tell them apart.
 */
export class OpenCircuitGate implements IPolicy<IDefaultPolicyContext, Skipped> {
  declare readonly _altReturn: Skipped;
  private events: PolicyEvents | undefined;
  private passes = 0;

  get onSuccess(): Event<ISuccessEvent> {
    return (this.events ??= new PolicyEvents()).onSuccess;
  }

  get onFailure(): Event<IFailureEvent> {
    return (this.events ??= new PolicyEvents()).onFailure;
  }

  /**
   * @param circuitState the breaker's state as it is now
   * @param stopped aborted when the owner is disposed: a retry after that is cancelled
   */
  constructor(
    private readonly circuitState: () => CircuitState,
    private readonly stopped: AbortSignal,
  ) {}

  execute<R>(
    fn: (context: IDefaultPolicyContext) => PromiseLike<R> | R,
    signal?: AbortSignal,
  ): Promise<R | Skipped> {
    if (this.passes++ > 0) {
      const refusal = this.refusal(signal);
      if (refusal !== undefined) return Promise.resolve(refusal);
    }
    const context = { signal } as IDefaultPolicyContext;
    return this.events?.listening
      ? this.events.observe(() => callAsync(fn, context))
      : callAsync(fn, context);
  }

  private refusal(signal: AbortSignal | undefined): Skipped | undefined {
    if (signal?.aborted || this.stopped.aborted) return SKIPPED_CANCELLED;
    const state = this.circuitState();
    if (state === CircuitState.Isolated) return SKIPPED_ISOLATED;
    if (state !== CircuitState.Closed) return SKIPPED_OPEN;
    return undefined;
  }
}

/** `fn(context)` as a promise, a synchronous throw as a rejection, without an async frame per attempt. */
function callAsync<C, R>(fn: (context: C) => PromiseLike<R> | R, context: C): Promise<R> {
  try {
    return Promise.resolve(fn(context));
  } catch (error) {
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- passed on as thrown, as `await` would
    return Promise.reject(error);
  }
}
