import { ConsecutiveBreaker, SamplingBreaker, type IBreaker } from 'cockatiel';
import type { BreakerOptions } from './options.js';

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
