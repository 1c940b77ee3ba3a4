import { type TransportResult } from './results.js';

/**
 * How a transport result reads to a report policy or backend set (`@windsock/resilience`), which knows no result
 * shape: only a `safe` failure is sent again (here or to another backend), a `never` failure is refused for good.
 */
export const transportResultClassifier = {
  isFailure: (result: TransportResult): boolean => !result.ok,
  isRetryable: (result: TransportResult): boolean => !result.ok && result.retry === 'safe',
  isRejected: (result: TransportResult): boolean => !result.ok && result.retry === 'never',
  pushbackMs: (result: TransportResult): number | undefined =>
    result.ok ? undefined : result.pushbackMs,
} as const;
