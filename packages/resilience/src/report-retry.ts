import { handleWhen, isBrokenCircuitError, retry, type RetryPolicy } from 'cockatiel';
import { CancelledByCaller } from './caller-cancellation.js';
import { Skipped } from './open-circuit-gate.js';
import { RetryDelays } from './retry-delays.js';
import type { SafeClassifier } from './safe-classifier.js';

export interface ReportRetryOptions<T> {
  maxAttempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
  /** The caller's pushback reader, handed to the delays as it is. */
  pushbackMs: (result: T) => number | undefined;
}

/**
 * Cockatiel's retry as a report policy uses it: only failures the caller called retryable are sent again, spaced by
 * `RetryDelays`; never once the breaker is not closed, never a caller's cancellation, a refusal or a `Skipped`
 * answer, and never to wait out a pushback longer than the longest delay (that one is the caller's to honour, by
 * pausing its loop).
 */
export function createReportRetry<T>(
  options: ReportRetryOptions<T>,
  classifier: SafeClassifier<T>,
  breakerClosed: () => boolean,
): RetryPolicy {
  const mayRetryResult = (result: unknown): boolean => {
    if (result instanceof Skipped || !breakerClosed()) return false;
    const value = result as T;
    if (!classifier.isFailure(value) || !classifier.isRetryable(value)) return false;
    const pushback = classifier.pushbackMs(value);
    return pushback === undefined || pushback <= options.maxDelayMs;
  };
  const mayRetryError = (error: unknown): boolean => {
    if (error instanceof CancelledByCaller || isBrokenCircuitError(error)) return false;
    return breakerClosed() && classifier.isRetryableError(error);
  };
  return retry(handleWhen(mayRetryError).orWhenResult(mayRetryResult), {
    maxAttempts: options.maxAttempts,
    backoff: new RetryDelays(options.initialDelayMs, options.maxDelayMs, (result) =>
      options.pushbackMs(result as T),
    ),
  }).dangerouslyUnref();
}
