import { type IRetryBackoffContext } from 'cockatiel';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RetryDelays } from './retry-delays.js';

function context(value: unknown, attempt: number): IRetryBackoffContext<unknown> {
  return { attempt, signal: new AbortController().signal, result: { value } };
}

/** The delays a retry sequence would sleep, given each failed result. */
function delays(factory: RetryDelays, results: unknown[]): number[] {
  const out: number[] = [];
  let backoff = factory.next(context(results[0], 1));
  out.push(backoff.duration);
  for (let i = 1; i < results.length; i++) {
    backoff = backoff.next(context(results[i], i + 1));
    out.push(backoff.duration);
  }
  return out;
}

describe('RetryDelays', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('keeps every jittered delay within [0, min(max, initial·2^(n+1)/1.4)]', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2_000 }),
        fc.integer({ min: 0, max: 60_000 }),
        fc.array(fc.double({ min: 0, max: 0.999_999, noNaN: true }), {
          minLength: 1,
          maxLength: 40,
        }),
        (initial, extra, randoms) => {
          const max = initial + extra;
          let i = 0;
          vi.spyOn(Math, 'random').mockImplementation(() => randoms[i++ % randoms.length] ?? 0);
          const sequence = delays(
            new RetryDelays(initial, max, () => undefined),
            randoms.map(() => ({})),
          );
          sequence.forEach((delay, n) => {
            expect(Number.isFinite(delay)).toBe(true);
            expect(delay).toBeGreaterThanOrEqual(0);
            // decorrelated jitter: f(t) = 2^t·tanh(√(4t)) ≤ 2^t with t < n + 1, scaled by initial / 1.4
            expect(delay).toBeLessThanOrEqual(Math.min(max, (initial * 2 ** (n + 1)) / 1.4) + 1e-9);
          });
          vi.restoreAllMocks();
        },
      ),
    );
  });

  it('never produces NaN or exceeds the cap after many attempts', () => {
    const sequence = delays(
      new RetryDelays(200, 5_000, () => undefined),
      Array.from({ length: 2_000 }, () => ({})),
    );
    expect(sequence.every((d) => Number.isFinite(d) && d >= 0 && d <= 5_000)).toBe(true);
    expect(sequence.slice(-100).filter((d) => d === 5_000).length).toBeGreaterThan(90);
  });

  it('waits at least as long as the server pushback', () => {
    vi.spyOn(Math, 'random').mockReturnValue(0);
    const factory = new RetryDelays(
      200,
      5_000,
      (result) => (result as { pushbackMs?: number }).pushbackMs,
    );
    const [first, second, third] = delays(factory, [{ pushbackMs: 3_000 }, {}, { pushbackMs: 1 }]);
    expect(first).toBe(3_000);
    expect(second).toBeLessThan(3_000);
    expect(third).toBeGreaterThan(1);
  });

  it('ignores pushbacks that are not finite non-negative numbers', () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
    const plain = delays(new RetryDelays(200, 5_000, () => undefined), [{}]);
    for (const bad of [Number.NaN, -1, Number.POSITIVE_INFINITY]) {
      expect(delays(new RetryDelays(200, 5_000, () => bad), [{}])).toEqual(plain);
    }
  });

  it('looks for a pushback only in resolved results, not thrown errors', () => {
    const factory = new RetryDelays(0, 0, () => 9_999);
    const backoff = factory.next({
      attempt: 1,
      signal: new AbortController().signal,
      result: { error: new Error('boom') },
    });
    expect(backoff.duration).toBe(0);
  });
});
