import { EventEmitter, type Event, type IFailureEvent, type ISuccessEvent } from 'cockatiel';

/**
 * The `onSuccess` and `onFailure` events cockatiel's `IPolicy` asks of every policy, for windsock's own policies.
 * They only pass errors on, so a rejection is reported as not handled. Nothing is allocated before the first
 * subscription and the clock is read only while someone listens: some of these policies are made per call.
 */
export class PolicyEvents {
  private successes: EventEmitter<ISuccessEvent> | undefined;
  private failures: EventEmitter<IFailureEvent> | undefined;

  get onSuccess(): Event<ISuccessEvent> {
    return (this.successes ??= new EventEmitter()).addListener;
  }

  get onFailure(): Event<IFailureEvent> {
    return (this.failures ??= new EventEmitter()).addListener;
  }

  /** Whether anyone listens; when not, a policy runs its work without `observe`. */
  get listening(): boolean {
    return (this.successes?.size ?? 0) + (this.failures?.size ?? 0) > 0;
  }

  /** Runs `run` and reports to the listeners how it settled and how long it took. */
  async observe<R>(run: () => Promise<R>): Promise<R> {
    const start = performance.now();
    try {
      const value = await run();
      this.successes?.emit({ duration: performance.now() - start });
      return value;
    } catch (error) {
      this.failures?.emit({
        duration: performance.now() - start,
        handled: false,
        reason: { error: error as Error },
      });
      throw error;
    }
  }
}
