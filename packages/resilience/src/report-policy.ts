import {
  CircuitState,
  TaskCancelledError,
  TimeoutStrategy,
  isBrokenCircuitError,
  isIsolatedCircuitError,
  timeout,
  wrap,
  type CircuitBreakerPolicy,
  type IDisposable,
  type RetryPolicy,
  type TimeoutPolicy,
} from 'cockatiel';
import { createCircuit } from './breaker.js';
import { CallerCancellation, CancelledByCaller } from './caller-cancellation.js';
import { CountedBreaker } from './counted-breaker.js';
import { OpenCircuitGate, Skipped } from './open-circuit-gate.js';
import { resolveOptions, type ReportPolicyOptions, type ResolvedPolicyOptions } from './options.js';
import type {
  ExecuteOptions,
  ExecuteOutcome,
  ExecuteRejected,
  PolicySnapshot,
  PolicyState,
  RejectionReason,
  StateChange,
} from './outcome.js';
import { PolicyCounters } from './policy-counters.js';
import { ProbeSchedule } from './probe-schedule.js';
import { createReportRetry } from './report-retry.js';
import { SafeClassifier } from './safe-classifier.js';
import { StateListeners, type StateListener } from './state-listeners.js';

export type { StateListener } from './state-listeners.js';

const STATE_NAMES: Record<CircuitState, PolicyState> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'isolated',
};

/** Attempts one `execute` made; a per-call record so concurrent calls do not share counts. */
interface CallRecord {
  attempts: number;
}

/**
 * Breaker ∘ retry ∘ timeout for one backend, composed from cockatiel policies with `wrap()`, with a probe-first
 * half-open state and state a loop can sleep on. See `createReportPolicy`. One call runs as
 * `wrap(retry, gate, breaker, cancellation, deadline)`: the retry is outermost so every re-send meets the gate, the
 * gate stands before the breaker because an open breaker would take a retry as its half-open trial, and the
 * cancellation sits between breaker and deadline, the one place where a caller's abort is still told apart from the
 * deadline's.
 */
export class ReportPolicy<T> {
  private readonly options: ResolvedPolicyOptions<T>;
  private readonly classifier: SafeClassifier<T>;
  private readonly schedule: ProbeSchedule;
  private readonly retry: RetryPolicy;
  /** The breaker each attempt meets, whichever is current, with its verdicts counted. */
  private readonly countedBreaker: CountedBreaker;
  private readonly attemptTimeout: TimeoutPolicy;
  private readonly probeTimeout: TimeoutPolicy;
  private readonly listeners = new StateListeners();
  private readonly counter = new PolicyCounters();
  private readonly lifetime = new AbortController();
  private breaker: CircuitBreakerPolicy;
  private breakerSubscription: IDisposable;
  private lastState: PolicyState = 'closed';
  /** Settles when the running half-open trial (probe, or data when there is no probe) has settled. */
  private pendingTrial: Promise<void> | undefined;
  private openedAtMs: number | undefined;
  private nextProbeAtMs: number | undefined;
  private disposed = false;

  constructor(options: ReportPolicyOptions<T> = {}) {
    this.options = resolveOptions(options);
    const { retry, halfOpen, pushbackMs } = this.options;
    this.classifier = new SafeClassifier(this.options);
    this.schedule = new ProbeSchedule(halfOpen.initialDelayMs, halfOpen.maxDelayMs);
    this.retry = createReportRetry({ ...retry, pushbackMs }, this.classifier, this.breakerClosed);
    this.countedBreaker = new CountedBreaker(
      () => this.breaker,
      this.counter,
      (result) => this.classifier.isFailure(result as T),
    );
    // Aggressive: a call that ignores its signal is still abandoned at the deadline, so the loop never hangs on it.
    // No abort on return: a finished attempt has nothing left to cancel, and an abort costs a DOMException per call.
    const deadline = { strategy: TimeoutStrategy.Aggressive, abortOnReturn: false };
    this.attemptTimeout = timeout(this.options.timeoutMs, deadline).dangerouslyUnref();
    this.probeTimeout = timeout(this.options.probeTimeoutMs, deadline).dangerouslyUnref();
    this.breaker = this.createCircuit();
    this.breakerSubscription = this.breaker.onStateChange(this.onCircuitStateChange);
  }

  /** `closed`, `open`, `half-open` (a trial is running) or `isolated`. */
  get state(): PolicyState {
    return STATE_NAMES[this.breaker.state];
  }

  /**
   * Epoch ms from which the next call may run a probe, while the breaker is open; `undefined` otherwise (closed,
   * half-open, or isolated, which only `reset()` or releasing the isolation ends). A loop sleeps until then.
   */
  get nextProbeAt(): number | undefined {
    return this.breaker.state === CircuitState.Open ? this.nextProbeAtMs : undefined;
  }

  /**
   * Runs `fn` through the breaker, with a deadline per attempt and retries for retryable failures. Never rejects
   * for a failure of `fn`: it resolves to `{ ok: true, value }` or `{ ok: false, reason, ... }`.
   *
   * While the breaker is open it resolves `open` at once without calling `fn`. When the half-open delay has passed,
   * the probe runs first and `fn` runs only if it succeeds; calls arriving meanwhile wait for that probe, which is
   * bounded by `probeTimeoutMs`.
   */
  async execute<R extends T>(
    fn: (signal: AbortSignal) => Promise<R>,
    options?: ExecuteOptions,
  ): Promise<ExecuteOutcome<R>> {
    this.counter.counts.calls++;
    const signal = options?.signal;
    if (this.disposed || signal?.aborted) return this.notSent('cancelled');
    const state = this.breaker.state;
    if (state === CircuitState.Open && this.options.now() < (this.nextProbeAtMs ?? 0)) {
      // The common case during an outage, answered without a further promise: the loop must idle cheaply.
      return this.notSent('open');
    }
    if (state !== CircuitState.Closed) {
      const refusal = await this.admit(signal);
      if (refusal !== undefined) return refusal;
    }
    return this.send(fn, signal);
  }

  /** Counters and state at this moment. */
  snapshot(): PolicySnapshot {
    return {
      state: this.state,
      openedAt: this.breaker.state === CircuitState.Closed ? undefined : this.openedAtMs,
      nextProbeAt: this.nextProbeAt,
      ...this.counter.snapshot(),
    };
  }

  /** Calls `listener` on every state transition; returns the function that unsubscribes it. */
  onStateChange(listener: StateListener): () => void {
    return this.listeners.add(listener);
  }

  /** Listeners currently subscribed (for leak checks). */
  get listenerCount(): number {
    return this.listeners.size;
  }

  /**
   * Holds the breaker open: every call resolves `isolated` without running `fn` until the returned release function
   * is called (each `isolate()` needs its own release) or `reset()`.
   */
  isolate(): () => void {
    const handle = this.breaker.isolate();
    return () => {
      handle.dispose();
    };
  }

  /** Closes the breaker and forgets failures and isolations, as if the policy were new (counters are kept). */
  reset(): void {
    const previous = this.state;
    this.breakerSubscription.dispose();
    this.breaker = this.createCircuit();
    this.breakerSubscription = this.breaker.onStateChange(this.onCircuitStateChange);
    this.counter.consecutiveFailures = 0;
    this.openedAtMs = undefined;
    this.nextProbeAtMs = undefined;
    if (previous !== 'closed') this.transition('closed');
  }

  /**
   * Cancels a running probe, drops all listeners, and makes later calls resolve `cancelled`. Attempts already
   * running end at their own deadline.
   */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.lifetime.abort();
    this.listeners.clear();
  }

  private readonly breakerClosed = (): boolean => this.breaker.state === CircuitState.Closed;

  private readonly currentCircuitState = (): CircuitState => this.breaker.state;

  private createCircuit(): CircuitBreakerPolicy {
    return createCircuit(this.options.breaker, this.schedule, this.options.isFailure);
  }

  /** Decides a call that found the breaker not closed; `undefined` lets it send. */
  private async admit(
    signal: AbortSignal | undefined,
  ): Promise<ExecuteRejected<never> | undefined> {
    switch (this.breaker.state) {
      case CircuitState.Isolated:
        return this.notSent('isolated');
      case CircuitState.Open:
        if (this.options.now() < (this.nextProbeAtMs ?? 0)) return this.notSent('open');
        // Without a probe the caller's own data is the trial; cockatiel half-opens on it in `send`.
        if (this.options.probe === undefined) return undefined;
        await this.runProbe(this.options.probe);
        break;
      case CircuitState.HalfOpen:
        // Someone else's trial is running; it ends within its own deadline.
        if (this.pendingTrial === undefined) return this.notSent('open');
        await this.pendingTrial;
        break;
      default:
        return undefined;
    }
    if (this.disposed || signal?.aborted) return this.notSent('cancelled');
    // Re-read through a call: the awaited trial changed the state, which the compiler cannot see.
    const state = this.currentCircuitState();
    if (state === CircuitState.Closed) return undefined;
    return this.notSent(state === CircuitState.Isolated ? 'isolated' : 'open');
  }

  private runProbe(probe: (signal: AbortSignal) => Promise<T>): Promise<void> {
    this.counter.counts.probes++;
    const trial = wrap(this.breaker, this.probeTimeout)
      .execute(({ signal }) => probe(signal), this.lifetime.signal)
      .then(
        (result) => {
          if (this.classifier.isFailure(result)) this.counter.probeFailure(result);
          else this.counter.success();
        },
        (error: unknown) => {
          this.counter.probeFailure(error);
        },
      );
    const settled: Promise<void> = trial.then(() => {
      if (this.pendingTrial === settled) this.pendingTrial = undefined;
    });
    this.pendingTrial = settled;
    return settled;
  }

  private async send<R extends T>(
    fn: (signal: AbortSignal) => Promise<R>,
    signal: AbortSignal | undefined,
  ): Promise<ExecuteOutcome<R>> {
    const call: CallRecord = { attempts: 0 };
    const isTrial = this.breaker.state !== CircuitState.Closed;
    const running = wrap(
      this.retry,
      new OpenCircuitGate(this.currentCircuitState, this.lifetime.signal),
      this.countedBreaker,
      new CallerCancellation(signal),
      this.attemptTimeout,
    ).execute(({ signal: attemptSignal }) => {
      if (call.attempts > 0) this.counter.counts.retries++;
      call.attempts++;
      this.counter.counts.attempts++;
      return fn(attemptSignal);
    }, signal);
    if (isTrial) {
      const settled: Promise<void> = running.then(noop, noop).then(() => {
        if (this.pendingTrial === settled) this.pendingTrial = undefined;
      });
      this.pendingTrial = settled;
    }
    try {
      const result = await running;
      if (result instanceof Skipped) return this.notSent(result.reason, call.attempts);
      if (this.classifier.isFailure(result)) {
        const pushback = this.classifier.pushbackMs(result);
        return this.rejected('failed', call.attempts, {
          value: result,
          ...(pushback === undefined ? {} : { pushbackMs: pushback }),
        });
      }
      return { ok: true, value: result, attempts: call.attempts };
    } catch (error) {
      return this.rejected(this.reasonFor(error, signal), call.attempts, {
        error: error instanceof CancelledByCaller ? error.cause : error,
      });
    }
  }

  private reasonFor(error: unknown, signal: AbortSignal | undefined): RejectionReason {
    if (error instanceof CancelledByCaller || signal?.aborted) return 'cancelled';
    if (isIsolatedCircuitError(error)) return 'isolated';
    if (isBrokenCircuitError(error)) return 'open';
    // Not cockatiel's isTaskCancelledError: in 3.2.1 it tests for the bulkhead's marker and never matches.
    if (error instanceof TaskCancelledError) return 'timeout';
    return 'failed';
  }

  private notSent<R>(reason: RejectionReason, attempts = 0): ExecuteRejected<R> {
    if (attempts === 0 && (reason === 'open' || reason === 'isolated'))
      this.counter.counts.rejections++;
    return this.rejected(reason, attempts, NO_DETAIL);
  }

  private rejected<R>(
    reason: RejectionReason,
    attempts: number,
    detail: Pick<ExecuteRejected<R>, 'value' | 'error' | 'pushbackMs'>,
  ): ExecuteRejected<R> {
    const outcome: ExecuteRejected<R> = { ok: false, reason, attempts };
    if (detail.value !== undefined) outcome.value = detail.value;
    if (detail.error !== undefined) outcome.error = detail.error;
    if (detail.pushbackMs !== undefined) outcome.pushbackMs = detail.pushbackMs;
    const nextProbeAt = this.nextProbeAt;
    if (nextProbeAt !== undefined) outcome.nextProbeAt = nextProbeAt;
    return outcome;
  }

  private readonly onCircuitStateChange = (circuit: CircuitState): void => {
    if (circuit === CircuitState.Open) {
      this.openedAtMs = this.options.now();
      // Rounded up: a loop sleeping until an integer `nextProbeAt` must not wake a fraction of a ms too early.
      this.nextProbeAtMs = Math.ceil(this.openedAtMs + this.schedule.lastDelayMs);
    } else if (circuit === CircuitState.Closed) {
      this.openedAtMs = undefined;
      this.nextProbeAtMs = undefined;
    } else if (circuit === CircuitState.Isolated) {
      this.openedAtMs = this.options.now();
      this.nextProbeAtMs = undefined;
    }
    this.transition(STATE_NAMES[circuit]);
  };

  private transition(state: PolicyState): void {
    const previous = this.lastState;
    this.lastState = state;
    if (previous === state) return;
    this.listeners.notify((): StateChange => ({
      state,
      previous,
      at: this.options.now(),
      nextProbeAt: state === 'open' ? this.nextProbeAtMs : undefined,
    }));
  }
}

function noop(): void {}

const NO_DETAIL = {} as const;

/**
 * Builds the report policy for one backend: a per-attempt timeout, retries with exponential backoff and decorrelated
 * jitter for retryable failures only, and a circuit breaker whose half-open trial is `options.probe`.
 * Throws one `OptionsError` (a `TypeError`) listing every invalid option.
 */
export function createReportPolicy<T>(options: ReportPolicyOptions<T> = {}): ReportPolicy<T> {
  return new ReportPolicy(options);
}
