import {
  ConsecutiveBreaker,
  SamplingBreaker,
  circuitBreaker,
  handleWhen,
  type CircuitBreakerPolicy,
  type IBreaker,
} from 'cockatiel';
import { CancelledByCaller } from './caller-cancellation.js';
import type { BreakerOptions } from './options.js';
import type { ProbeSchedule } from './probe-schedule.js';

/** A fresh cockatiel breaker (failure counter) for the configured kind. */
export function createBreaker(options: BreakerOptions): IBreaker {
  if (options.kind === 'sampling') {
    return new SamplingBreaker({
      threshold: options.threshold,
      duration: options.durationMs,
      ...(options.minimumRps === undefined ? {} : { minimumRps: options.minimumRps }),
    });
  }
  return new ConsecutiveBreaker(options.threshold);
}

/**
 * A fresh circuit for one backend: every thrown error but a caller's cancellation counts against it, and so does a
 * result `isFailure` calls a failure; `schedule` decides when it half-opens.
 */
export function createCircuit<T>(
  options: BreakerOptions,
  schedule: ProbeSchedule,
  isFailure: (result: T) => boolean,
): CircuitBreakerPolicy {
  return circuitBreaker(
    handleWhen((error) => !(error instanceof CancelledByCaller)).orWhenResult((result) =>
      isFailure(result as T),
    ),
    { halfOpenAfter: schedule, breaker: createBreaker(options) },
  );
}
