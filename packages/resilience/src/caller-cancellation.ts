import type {
  Event,
  IDefaultPolicyContext,
  IFailureEvent,
  IPolicy,
  ISuccessEvent,
} from 'cockatiel';
import { PolicyEvents } from './policy-events.js';

/** The caller gave up on this attempt; the backend did nothing wrong, so the breaker must not count it. */
export class CancelledByCaller extends Error {
  constructor(override readonly cause: unknown) {
    super('cancelled by the caller');
    this.name = 'CancelledByCaller';
  }
}

/**
 * Keeps one call's cancellation from reaching the breaker as the backend's failure: an attempt that fails after the
 * caller's signal aborted rejects with `CancelledByCaller`, which the breaker's filter ignores. It belongs outside the
 * deadline, where the caller's abort can still be told apart from the deadline's own.
 *
 * It holds the caller's signal rather than reading the one handed down: the breaker drops that signal when a call
 * waits out another's trial, and a call without a signal must give the deadline none to subscribe to.
 */
export class CallerCancellation implements IPolicy {
  declare readonly _altReturn: never;
  private events: PolicyEvents | undefined;

  get onSuccess(): Event<ISuccessEvent> {
    return (this.events ??= new PolicyEvents()).onSuccess;
  }

  get onFailure(): Event<IFailureEvent> {
    return (this.events ??= new PolicyEvents()).onFailure;
  }

  constructor(private readonly callerSignal: AbortSignal | undefined) {}

  execute<R>(fn: (context: IDefaultPolicyContext) => PromiseLike<R> | R): Promise<R> {
    return this.events?.listening ? this.events.observe(() => this.run(fn)) : this.run(fn);
  }

  private async run<R>(fn: (context: IDefaultPolicyContext) => PromiseLike<R> | R): Promise<R> {
    try {
      // Without a caller signal the next policy gets none (cockatiel's policies accept that), not a stand-in.
      return await fn({ signal: this.callerSignal } as IDefaultPolicyContext);
    } catch (error) {
      if (this.callerSignal?.aborted) throw new CancelledByCaller(error);
      throw error;
    }
  }
}
