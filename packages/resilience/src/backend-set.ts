// The one owner of backend health and failover: a report policy (breaker ∘ retry ∘ timeout, with a probe as its
// half-open trial) per backend, shared by every caller, so a backend that is down is down for all of them and is
// probed once. `send` walks the backends in configuration order, skipping those whose breaker is open, and fails over
// to the next only after a failure that cannot have reached the server: failover never duplicates data.
import { OptionChecks, OptionsError } from '@windsock/options';
import { INVALID_POLICY_OPTIONS, resolveOptions, type ReportPolicyOptions } from './options.js';
import type { ExecuteRejected, PolicyState, StateChange } from './outcome.js';
import { createReportPolicy, type ReportPolicy } from './report-policy.js';

/** How the set reads the results of the caller's function; it knows no result shape of its own. */
export interface ResultClassifier<T> {
  /** The call did not deliver (counted by the breaker). */
  isFailure: (result: T) => boolean;
  /** A failure of which nothing can have reached the server: it may be sent again, here or to another backend. */
  isRetryable: (result: T) => boolean;
  /** A failure the server will repeat whatever is re-sent (bad token, unknown method): the data is refused. */
  isRejected: (result: T) => boolean;
  /** The server's requested pause before the next call, in ms, if the failed result carries one. */
  pushbackMs: (result: T) => number | undefined;
}

export interface BackendSetOptions<T> {
  /** The backends, in the order of preference. */
  addresses: readonly string[];
  classifier: ResultClassifier<T>;
  /** The cheap call that decides whether an open backend is back (the half-open trial). */
  probe?: (address: string, signal: AbortSignal) => Promise<T>;
  /** Timeouts, retry, breaker and half-open delays of every backend's policy. */
  policy?: Pick<
    ReportPolicyOptions<T>,
    'timeoutMs' | 'probeTimeoutMs' | 'retry' | 'breaker' | 'halfOpen'
  >;
  /** Clock in epoch ms. Default `Date.now()`. */
  now?: () => number;
}

export interface BackendEntry<T> {
  readonly address: string;
  readonly policy: ReportPolicy<T>;
  /** Epoch ms of the last call this backend delivered. */
  lastSuccessAt: number | undefined;
}

/** The result of sending one batch: what happened, and how long the caller should rest before the next. */
export type SendOutcome =
  | { kind: 'delivered' }
  /** Nothing of the batch can have reached a backend: keep it. */
  | { kind: 'kept'; pauseMs: number }
  /** It may have arrived (never re-send), or a backend refused it for good. */
  | { kind: 'lost'; reason: 'unacknowledged' | 'rejected'; pauseMs: number };

export type BackendStateListener = (address: string, change: StateChange) => void;

const CLASSIFIER_METHODS = ['isFailure', 'isRetryable', 'isRejected', 'pushbackMs'] as const;

function checkBackendSetOptions<T>(options: BackendSetOptions<T>): void {
  const check = new OptionChecks();
  const { addresses, classifier, probe, policy, now } = options;
  if (Array.isArray(addresses) && addresses.length > 0) {
    addresses.forEach((address: unknown, i) => check.text(`addresses[${i}]`, address));
  } else {
    check.add('addresses', addresses, 'at least one backend address');
  }
  for (const name of CLASSIFIER_METHODS) {
    check.function(
      `classifier.${name}`,
      (classifier as Partial<ResultClassifier<T>> | undefined)?.[name],
    );
  }
  if (probe !== undefined) check.function('probe', probe);
  if (now !== undefined) check.function('now', now);
  try {
    resolveOptions(policy);
  } catch (error) {
    if (!(error instanceof OptionsError)) throw error;
    check.addAll(error.problems.map((p) => ({ ...p, name: `policy.${p.name}` })));
  }
  check.throwIfAny(INVALID_POLICY_OPTIONS);
}

/** How long to rest when every backend is isolated by hand: no probe is due, so look again later. */
const ALL_ISOLATED_REST_MS = 1_000;

export class BackendSet<T> {
  readonly list: readonly BackendEntry<T>[];
  private readonly now: () => number;
  private readonly classifier: ResultClassifier<T>;

  /** Throws one OptionsError listing every bad option, the policy's included. */
  constructor(options: BackendSetOptions<T>) {
    checkBackendSetOptions(options);
    const { addresses, classifier, probe, policy = {} } = options;
    this.now = options.now ?? (() => Date.now());
    this.classifier = classifier;
    // With another backend to fail over to, a batch that cannot have reached this one goes there at once:
    // retrying here first would hold every caller back while the dead backend's breaker fills up.
    const retry = addresses.length > 1 ? { ...policy.retry, maxAttempts: 0 } : policy.retry;
    this.list = addresses.map((address) => ({
      address,
      lastSuccessAt: undefined,
      policy: createReportPolicy<T>({
        ...policy,
        ...(retry === undefined ? {} : { retry }),
        isFailure: classifier.isFailure,
        isRetryable: classifier.isRetryable,
        pushbackMs: classifier.pushbackMs,
        ...(probe === undefined ? {} : { probe: (signal) => probe(address, signal) }),
        now: this.now,
      }),
    }));
  }

  /** Whether calls must stay away from this backend: its breaker is open or isolated. */
  isOpen = (address: string): boolean => {
    const state = this.list.find((b) => b.address === address)?.policy.state;
    return state === 'open' || state === 'isolated';
  };

  /** The backends a call may go to now, in order of preference. */
  usable = (): string[] => this.list.filter((b) => !this.isOpen(b.address)).map((b) => b.address);

  /** Sends through the first backend that will take it (see the file comment). Never rejects. */
  async send(
    sendTo: (address: string, signal: AbortSignal) => Promise<T>,
    signal: AbortSignal,
  ): Promise<SendOutcome> {
    let pushbackMs = 0;
    for (const backend of this.list) {
      if (signal.aborted) break;
      const outcome = await backend.policy.execute((s) => sendTo(backend.address, s), { signal });
      if (outcome.ok) {
        backend.lastSuccessAt = this.now();
        return { kind: 'delivered' };
      }
      const verdict = this.verdictOn(outcome);
      if (verdict === 'kept') {
        pushbackMs = Math.max(pushbackMs, outcome.pushbackMs ?? 0);
        continue; // nothing reached this backend: the next one may take it
      }
      return { kind: 'lost', reason: verdict, pauseMs: outcome.pushbackMs ?? 0 };
    }
    return { kind: 'kept', pauseMs: Math.max(pushbackMs, this.restMs()) };
  }

  /** How long until any backend may be tried again: 0 if one is usable now. */
  restMs(): number {
    const earliest = this.earliestProbeAt();
    if (earliest === undefined) return ALL_ISOLATED_REST_MS;
    return Math.max(0, earliest - this.now());
  }

  /**
   * A signal aborted as soon as nothing can be delivered before `deadline`: every breaker is open with its next probe
   * at or after it (or isolated). The answer changes only when a breaker changes state, so it is re-checked on state
   * changes, with no timer. `release()` stops watching.
   */
  undeliverableBefore(deadline: number): { signal: AbortSignal; release: () => void } {
    const controller = new AbortController();
    const check = (): void => {
      const earliest = this.earliestProbeAt();
      if (earliest === undefined || earliest >= deadline) controller.abort();
    };
    check();
    if (controller.signal.aborted) return { signal: controller.signal, release: () => {} };
    const unsubscribe = this.onStateChange(() => {
      check();
      if (controller.signal.aborted) unsubscribe();
    });
    return { signal: controller.signal, release: unsubscribe };
  }

  /** Calls `listener` on every breaker transition of every backend; returns the function that unsubscribes. */
  onStateChange(listener: BackendStateListener): () => void {
    const disposers = this.list.map((backend) =>
      backend.policy.onStateChange((change) => listener(backend.address, change)),
    );
    return () => {
      for (const dispose of disposers) dispose();
    };
  }

  states(): PolicyState[] {
    return this.list.map((b) => b.policy.state);
  }

  dispose(): void {
    for (const backend of this.list) backend.policy.dispose();
  }

  /** Epoch ms from which some backend may be tried: now when one is usable; `undefined` when all are isolated. */
  private earliestProbeAt(): number | undefined {
    let earliest: number | undefined;
    for (const backend of this.list) {
      const { state, nextProbeAt } = backend.policy;
      if (state === 'closed' || state === 'half-open') return this.now();
      if (state === 'open' && nextProbeAt !== undefined) {
        earliest = earliest === undefined ? nextProbeAt : Math.min(earliest, nextProbeAt);
      }
    }
    return earliest;
  }

  /** Only what cannot have reached the server is kept for another try. */
  private verdictOn(outcome: ExecuteRejected<T>): 'kept' | 'unacknowledged' | 'rejected' {
    switch (outcome.reason) {
      case 'open':
      case 'isolated':
        return 'kept';
      case 'cancelled':
        return outcome.attempts === 0 ? 'kept' : 'unacknowledged';
      case 'timeout':
        return 'unacknowledged';
      case 'failed': {
        const result = outcome.value;
        if (result === undefined) return 'unacknowledged';
        if (this.safely(this.classifier.isRetryable, result)) return 'kept';
        if (this.safely(this.classifier.isRejected, result)) return 'rejected';
        return 'unacknowledged';
      }
    }
  }

  /** A classifier that throws is a bug in the caller; its answer is taken as "no", which never re-sends. */
  private safely(predicate: (result: T) => boolean, result: T): boolean {
    try {
      return predicate(result);
    } catch {
      return false;
    }
  }
}
