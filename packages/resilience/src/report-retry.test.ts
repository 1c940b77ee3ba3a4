import { BrokenCircuitError } from 'cockatiel';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CancelledByCaller } from './caller-cancellation.js';
import { Skipped } from './open-circuit-gate.js';
import { createReportRetry } from './report-retry.js';
import { SafeClassifier } from './safe-classifier.js';

type Result = { ok: boolean; safe?: boolean; pushbackMs?: number };
const SAFE: Result = { ok: false, safe: true };

function reportRetry(breakerClosed: () => boolean = () => true) {
  const pushbackMs = (r: Result): number | undefined => r.pushbackMs;
  const classifier = new SafeClassifier<Result>({
    isFailure: (r) => !r.ok,
    isRetryable: (r) => r.safe === true,
    isRetryableError: (e) => e instanceof Error && e.message === 'transient',
    pushbackMs,
  });
  return createReportRetry(
    { maxAttempts: 2, initialDelayMs: 10, maxDelayMs: 100, pushbackMs },
    classifier,
    breakerClosed,
  );
}

/** Runs `answer` through the retry to the end; how many times it ran and how the retry settled. */
async function run(
  policy: ReturnType<typeof reportRetry>,
  answer: () => unknown,
): Promise<{ runs: number; settled: unknown }> {
  let runs = 0;
  const settled = policy
    .execute(() => {
      runs++;
      return answer();
    })
    .catch((error: unknown) => error);
  await vi.runAllTimersAsync();
  return { runs, settled: await settled };
}

describe('createReportRetry', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('re-sends a retryable failure up to maxAttempts times, then gives its last result', async () => {
    await expect(run(reportRetry(), () => SAFE)).resolves.toEqual({ runs: 3, settled: SAFE });
  });

  it('re-sends a thrown error only when the caller calls it retryable', async () => {
    const transient = new Error('transient');
    await expect(run(reportRetry(), () => Promise.reject(transient))).resolves.toEqual({
      runs: 3,
      settled: transient,
    });
    const other = new Error('other');
    await expect(run(reportRetry(), () => Promise.reject(other))).resolves.toEqual({
      runs: 1,
      settled: other,
    });
  });

  it('never re-sends once the breaker is not closed', async () => {
    await expect(
      run(
        reportRetry(() => false),
        () => SAFE,
      ),
    ).resolves.toEqual({
      runs: 1,
      settled: SAFE,
    });
    const transient = new Error('transient');
    await expect(
      run(
        reportRetry(() => false),
        () => Promise.reject(transient),
      ),
    ).resolves.toMatchObject({ runs: 1 });
  });

  it('never re-sends a success, an unsafe failure, a Skipped answer, a cancellation or a refusal', async () => {
    const answers: (() => unknown)[] = [
      () => ({ ok: true }),
      () => ({ ok: false, safe: false }),
      () => new Skipped('open'),
      () => Promise.reject(new CancelledByCaller(new Error('transient'))),
      () => Promise.reject(new BrokenCircuitError()),
    ];
    for (const answer of answers) {
      await expect(run(reportRetry(), answer)).resolves.toMatchObject({ runs: 1 });
    }
  });

  it('waits out a pushback up to maxDelayMs, and leaves a longer one to the caller', async () => {
    const policy = reportRetry();
    const short = { ...SAFE, pushbackMs: 100 };
    const started = Date.now();
    await expect(run(policy, () => short)).resolves.toMatchObject({ runs: 3 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
    await expect(run(policy, () => ({ ...SAFE, pushbackMs: 101 }))).resolves.toMatchObject({
      runs: 1,
    });
  });
});
