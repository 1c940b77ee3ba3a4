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

/** Applies defaults and rejects values that would make the policy misbehave, naming the offending option. */
export function resolveOptions<T>(options: ReportPolicyOptions<T> = {}): ResolvedPolicyOptions<T> {
  const retry = { ...DEFAULT_RETRY, ...stripUndefined(options.retry) };
  const halfOpen = { ...DEFAULT_HALF_OPEN, ...stripUndefined(options.halfOpen) };
  const breaker = options.breaker ?? DEFAULT_BREAKER;
  const resolved: ResolvedPolicyOptions<T> = {
    isFailure: fnOption(options.isFailure, 'isFailure') ?? never,
    isRetryable: fnOption(options.isRetryable, 'isRetryable') ?? never,
    pushbackMs: fnOption(options.pushbackMs, 'pushbackMs') ?? noPushback,
    isRetryableError: fnOption(options.isRetryableError, 'isRetryableError') ?? never,
    probe: fnOption(options.probe, 'probe'),
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    probeTimeoutMs: options.probeTimeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS,
    retry,
    breaker,
    halfOpen,
    now: fnOption(options.now, 'now') ?? systemNow,
  };

  positiveDelay(resolved.timeoutMs, 'timeoutMs');
  positiveDelay(resolved.probeTimeoutMs, 'probeTimeoutMs');
  wholeCount(retry.maxAttempts, 'retry.maxAttempts', 0);
  delay(retry.initialDelayMs, 'retry.initialDelayMs');
  delay(retry.maxDelayMs, 'retry.maxDelayMs');
  ordered(retry.initialDelayMs, retry.maxDelayMs, 'retry.maxDelayMs', 'retry.initialDelayMs');
  delay(halfOpen.initialDelayMs, 'halfOpen.initialDelayMs');
  delay(halfOpen.maxDelayMs, 'halfOpen.maxDelayMs');
  ordered(
    halfOpen.initialDelayMs,
    halfOpen.maxDelayMs,
    'halfOpen.maxDelayMs',
    'halfOpen.initialDelayMs',
  );
  validateBreaker(breaker);
  return resolved;
}

function validateBreaker(breaker: BreakerOptions): void {
  if (breaker.kind === 'consecutive') {
    wholeCount(breaker.threshold, 'breaker.threshold', 1);
    return;
  }
  if (breaker.kind === 'sampling') {
    if (!(breaker.threshold > 0 && breaker.threshold < 1)) {
      throw new RangeError(
        `breaker.threshold must be a failure ratio strictly between 0 and 1 for a sampling breaker, got ${String(breaker.threshold)}`,
      );
    }
    positiveDelay(breaker.durationMs, 'breaker.durationMs');
    if (
      breaker.minimumRps !== undefined &&
      !(breaker.minimumRps >= 0 && Number.isFinite(breaker.minimumRps))
    ) {
      throw new RangeError(
        `breaker.minimumRps must be a finite number ≥ 0, got ${String(breaker.minimumRps)}`,
      );
    }
    return;
  }
  throw new RangeError(
    `breaker.kind must be 'consecutive' or 'sampling', got ${String((breaker as { kind: unknown }).kind)}`,
  );
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function delay(value: unknown, name: string): void {
  if (!isFiniteNumber(value) || value < 0) {
    throw new RangeError(
      `${name} must be a finite number of milliseconds ≥ 0, got ${String(value)}`,
    );
  }
}

function positiveDelay(value: unknown, name: string): void {
  // setTimeout clamps anything above 2^31-1 ms to 1 ms, which would turn a "very long" deadline into an instant one.
  if (!isFiniteNumber(value) || value <= 0 || value > 2_147_483_647) {
    throw new RangeError(
      `${name} must be a number of milliseconds > 0 and ≤ 2147483647, got ${String(value)}`,
    );
  }
}

function wholeCount(value: unknown, name: string, min: number): void {
  if (!Number.isInteger(value) || (value as number) < min) {
    throw new RangeError(`${name} must be an integer ≥ ${min}, got ${String(value)}`);
  }
}

function ordered(low: number, high: number, highName: string, lowName: string): void {
  if (high < low) {
    throw new RangeError(`${highName} (${high}) must be ≥ ${lowName} (${low})`);
  }
}

function fnOption<F>(value: F | undefined, name: string): F | undefined {
  if (value !== undefined && typeof value !== 'function') {
    throw new RangeError(`${name} must be a function, got ${typeof value}`);
  }
  return value;
}

function stripUndefined<O extends object>(value: O | undefined): Partial<O> {
  if (value === undefined) return {};
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<O>;
}
