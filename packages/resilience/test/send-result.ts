/** The shape windsock's transport resolves to (it never rejects). */
export type SendResult =
  | { ok: true }
  | {
      ok: false;
      /** `safe`: nothing reached the server, re-sending cannot duplicate; `unsafe`: it may have; `never`: hopeless. */
      retry: 'safe' | 'unsafe' | 'never';
      pushbackMs?: number;
    };

/**
 * Predicates for results shaped like the transport's: spread into `createReportPolicy` options. Only `retry: 'safe'`
 * failures are retried, so a retry can never duplicate data.
 */
export const sendResultClassifier = {
  isFailure: (result: SendResult): boolean => !result.ok,
  isRetryable: (result: SendResult): boolean => !result.ok && result.retry === 'safe',
  pushbackMs: (result: SendResult): number | undefined =>
    result.ok ? undefined : result.pushbackMs,
} as const;
