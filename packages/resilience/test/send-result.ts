// A result shaped like a transport's (it resolves, never rejects), with the predicates that read it: what the tests,
// fixtures and bench hand to `createReportPolicy`. The package itself knows no result shape.
export type SendResult =
  | { ok: true }
  | {
      ok: false;
      /** `safe`: nothing reached the server; `unsafe`: it may have; `never`: hopeless. */
      retry: 'safe' | 'unsafe' | 'never';
      pushbackMs?: number;
    };

/** Only `retry: 'safe'` failures are retried, so a retry can never duplicate data. */
export const sendResultClassifier = {
  isFailure: (result: SendResult): boolean => !result.ok,
  isRetryable: (result: SendResult): boolean => !result.ok && result.retry === 'safe',
  isRejected: (result: SendResult): boolean => !result.ok && result.retry === 'never',
  pushbackMs: (result: SendResult): number | undefined =>
    result.ok ? undefined : result.pushbackMs,
} as const;
