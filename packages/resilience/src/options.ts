import { OptionChecks } from '@windsock/options';

/** How a report policy classifies, times, retries and breaks. Every field is optional. */
export interface ReportPolicyOptions<T> {
  /**
   * Whether a resolved result is a failure (counted by the breaker). Default: no resolved result is a failure, only
   * thrown errors and timeouts are. A transport that resolves to `{ ok: false }` needs this.
   */
  isFailure?: (result: T) => boolean;
  /**
   * Whether a failed result may be sent again because nothing of it can have reached the server (the transport's
   * `retry: 'safe'`). Default: never.
   */
  isRetryable?: (result: T) => boolean;
  /** The server's requested delay before the next attempt, in ms, if the failed result carries one. */
  pushbackMs?: (result: T) => number | undefined;
  /**
   * Whether a thrown error may be retried. Default: never, because a thrown or timed-out call may have delivered
   * part of its data, and a re-send would duplicate it.
   */
  isRetryableError?: (error: unknown) => boolean;
  /**
   * The cheap call (the transport's `keepAlive`) run as the half-open trial instead of data; its result is classified
   * with `isFailure`. Without it, the first data call after the half-open delay is the trial.
   */
  probe?: (signal: AbortSignal) => Promise<T>;
  /** Deadline of one attempt, in ms; the attempt is abandoned and its signal aborted when it passes. Default 10 000. */
  timeoutMs?: number;
  /** Deadline of one probe, in ms: the longest any data call waits behind a probe. Default 3 000. */
  probeTimeoutMs?: number;
  retry?: RetryOptions;
  breaker?: BreakerOptions;
  halfOpen?: HalfOpenOptions;
  /** Clock in epoch milliseconds, used for `openedAt` and `nextProbeAt`. Default `Date.now()`. */
  now?: () => number;
}

export interface RetryOptions {
  /** Re-sends after the first attempt (total calls = maxAttempts + 1). 0 disables retry. Default 2. */
  maxAttempts?: number;
  /** Scale of the first retry delay (decorrelated jitter around it), in ms. Default 200. */
  initialDelayMs?: number;
  /** Longest retry delay, in ms; a pushback longer than this is not waited for but returned to the caller. Default 5 000. */
  maxDelayMs?: number;
}

/** Opens after `threshold` failures in a row. The default, with threshold 5. */
export interface ConsecutiveBreakerOptions {
  kind: 'consecutive';
  /** Failures in a row that open the breaker (an integer ≥ 1). */
  threshold: number;
}

/** Opens when the failing share of calls over a sliding window passes `threshold`; suited to high call rates. */
export interface SamplingBreakerOptions {
  kind: 'sampling';
  /** Failing share of calls, strictly between 0 and 1. */
  threshold: number;
  /** Length of the sampling window, in ms. */
  durationMs: number;
  /** Calls per second below which the breaker never opens. Default: cockatiel's (about 5 failures per second). */
  minimumRps?: number;
}

export type BreakerOptions = ConsecutiveBreakerOptions | SamplingBreakerOptions;

/** The delay before each probe grows from `initialDelayMs` to `maxDelayMs` while probes keep failing. */
export interface HalfOpenOptions {
  /** Default 1 000. */
  initialDelayMs?: number;
  /** Default 10 000: a long outage costs one probe per 10 s, and recovery is noticed within 10 s. */
  maxDelayMs?: number;
}

/** Options with every default applied; what the policy actually runs with. */
export interface ResolvedPolicyOptions<T> {
  isFailure: (result: T) => boolean;
  isRetryable: (result: T) => boolean;
  pushbackMs: (result: T) => number | undefined;
  isRetryableError: (error: unknown) => boolean;
  probe: ((signal: AbortSignal) => Promise<T>) | undefined;
  timeoutMs: number;
  probeTimeoutMs: number;
  retry: Required<RetryOptions>;
  breaker: BreakerOptions;
  halfOpen: Required<HalfOpenOptions>;
  now: () => number;
}

const never = (): boolean => false;
const noPushback = (): undefined => undefined;
// Read Date.now at call time, not at module load, so fake timers installed later still apply.
const systemNow = (): number => Date.now();

export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_PROBE_TIMEOUT_MS = 3_000;
export const DEFAULT_RETRY: Required<RetryOptions> = {
  maxAttempts: 2,
  initialDelayMs: 200,
  maxDelayMs: 5_000,
};
export const DEFAULT_BREAKER: ConsecutiveBreakerOptions = { kind: 'consecutive', threshold: 5 };
export const DEFAULT_HALF_OPEN: Required<HalfOpenOptions> = {
  initialDelayMs: 1_000,
  maxDelayMs: 10_000,
};

/** How resilience's OptionsErrors begin. */
export const INVALID_POLICY_OPTIONS = 'windsock resilience: invalid options';

/** Applies defaults; throws one OptionsError listing every value that would make the policy misbehave. */
export function resolveOptions<T>(options: ReportPolicyOptions<T> = {}): ResolvedPolicyOptions<T> {
  const check = new OptionChecks();
  const fn = <F>(value: F | undefined, name: string): F | undefined =>
    value === undefined || check.function(name, value) ? value : undefined;
  const retry = { ...DEFAULT_RETRY, ...stripUndefined(options.retry) };
  const halfOpen = { ...DEFAULT_HALF_OPEN, ...stripUndefined(options.halfOpen) };
  const breaker = options.breaker ?? DEFAULT_BREAKER;
  const resolved: ResolvedPolicyOptions<T> = {
    isFailure: fn(options.isFailure, 'isFailure') ?? never,
    isRetryable: fn(options.isRetryable, 'isRetryable') ?? never,
    pushbackMs: fn(options.pushbackMs, 'pushbackMs') ?? noPushback,
    isRetryableError: fn(options.isRetryableError, 'isRetryableError') ?? never,
    probe: fn(options.probe, 'probe'),
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    probeTimeoutMs: options.probeTimeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS,
    retry,
    breaker,
    halfOpen,
    now: fn(options.now, 'now') ?? systemNow,
  };

  check.delayMs('timeoutMs', resolved.timeoutMs);
  check.delayMs('probeTimeoutMs', resolved.probeTimeoutMs);
  check.integer('retry.maxAttempts', retry.maxAttempts, { min: 0 });
  checkOrdered(check, retry, 'retry');
  checkOrdered(check, halfOpen, 'halfOpen');
  checkBreaker(check, breaker);
  check.throwIfAny(INVALID_POLICY_OPTIONS);
  return resolved;
}

/** Both delays valid, and the first no longer than the longest. */
function checkOrdered(
  check: OptionChecks,
  delays: { initialDelayMs: number; maxDelayMs: number },
  prefix: string,
): void {
  const initial = check.delayMs(`${prefix}.initialDelayMs`, delays.initialDelayMs, {
    allowZero: true,
  });
  const max = check.delayMs(`${prefix}.maxDelayMs`, delays.maxDelayMs, { allowZero: true });
  if (initial && max) {
    check.atLeast(
      `${prefix}.maxDelayMs`,
      delays.maxDelayMs,
      `${prefix}.initialDelayMs`,
      delays.initialDelayMs,
    );
  }
}

function checkBreaker(check: OptionChecks, breaker: BreakerOptions): void {
  if (breaker.kind === 'consecutive') {
    check.integer('breaker.threshold', breaker.threshold, { min: 1 });
  } else if (breaker.kind === 'sampling') {
    check.number('breaker.threshold', breaker.threshold, { above: 0, below: 1 });
    check.delayMs('breaker.durationMs', breaker.durationMs);
    if (breaker.minimumRps !== undefined) {
      check.number('breaker.minimumRps', breaker.minimumRps, { min: 0 });
    }
  } else {
    check.oneOf('breaker.kind', (breaker as { kind: unknown }).kind, ['consecutive', 'sampling']);
  }
}

function stripUndefined<O extends object>(value: O | undefined): Partial<O> {
  if (value === undefined) return {};
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<O>;
}
