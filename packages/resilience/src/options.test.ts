import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OptionsError } from '@windsock/options';
import { resolveOptions, type ReportPolicyOptions } from './options.js';
import { createReportPolicy } from './report-policy.js';

describe('resolveOptions', () => {
  it('applies the documented defaults', () => {
    const resolved = resolveOptions();
    expect(resolved.timeoutMs).toBe(10_000);
    expect(resolved.probeTimeoutMs).toBe(3_000);
    expect(resolved.retry).toEqual({ maxAttempts: 2, initialDelayMs: 200, maxDelayMs: 5_000 });
    expect(resolved.breaker).toEqual({ kind: 'consecutive', threshold: 5 });
    expect(resolved.halfOpen).toEqual({ initialDelayMs: 1_000, maxDelayMs: 10_000 });
    expect(resolved.probe).toBeUndefined();
  });

  it('keeps defaults for nested fields left undefined', () => {
    const resolved = resolveOptions({ retry: { maxAttempts: 0, initialDelayMs: undefined } });
    expect(resolved.retry).toEqual({ maxAttempts: 0, initialDelayMs: 200, maxDelayMs: 5_000 });
  });

  const invalid: [string, ReportPolicyOptions<unknown>][] = [
    ['timeoutMs', { timeoutMs: 0 }],
    ['timeoutMs', { timeoutMs: -1 }],
    ['timeoutMs', { timeoutMs: Number.NaN }],
    ['timeoutMs', { timeoutMs: 2 ** 31 }],
    ['probeTimeoutMs', { probeTimeoutMs: -5 }],
    ['retry.maxAttempts', { retry: { maxAttempts: -1 } }],
    ['retry.maxAttempts', { retry: { maxAttempts: 1.5 } }],
    ['retry.maxAttempts', { retry: { maxAttempts: Number.POSITIVE_INFINITY } }],
    ['retry.initialDelayMs', { retry: { initialDelayMs: -1 } }],
    ['retry.maxDelayMs', { retry: { maxDelayMs: -1 } }],
    ['retry.maxDelayMs', { retry: { initialDelayMs: 500, maxDelayMs: 100 } }],
    ['halfOpen.initialDelayMs', { halfOpen: { initialDelayMs: -1 } }],
    ['halfOpen.maxDelayMs', { halfOpen: { maxDelayMs: Number.POSITIVE_INFINITY } }],
    ['halfOpen.maxDelayMs', { halfOpen: { initialDelayMs: 2_000, maxDelayMs: 1_000 } }],
    ['breaker.threshold', { breaker: { kind: 'consecutive', threshold: 0 } }],
    ['breaker.threshold', { breaker: { kind: 'consecutive', threshold: 2.5 } }],
    ['breaker.threshold', { breaker: { kind: 'sampling', threshold: 1, durationMs: 1_000 } }],
    ['breaker.threshold', { breaker: { kind: 'sampling', threshold: 0, durationMs: 1_000 } }],
    ['breaker.durationMs', { breaker: { kind: 'sampling', threshold: 0.5, durationMs: 0 } }],
    [
      'breaker.minimumRps',
      { breaker: { kind: 'sampling', threshold: 0.5, durationMs: 1_000, minimumRps: -1 } },
    ],
    ['breaker.kind', { breaker: { kind: 'bogus', threshold: 1 } as never }],
    ['probe', { probe: 'keepAlive' as never }],
    ['isFailure', { isFailure: true as never }],
    ['now', { now: 5 as never }],
  ];

  it.each(invalid)('throws an OptionsError naming %s', (name, options) => {
    expect(() => createReportPolicy(options)).toThrow(OptionsError);
    expect(() => createReportPolicy(options)).toThrow(name);
  });

  it('lists every problem in one OptionsError', () => {
    let error: unknown;
    try {
      resolveOptions({ timeoutMs: 0, retry: { maxAttempts: -1 }, now: 5 as never });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(OptionsError);
    expect((error as OptionsError).message).toBe(
      'windsock resilience: invalid options (3 problems):\n' +
        '  - now = 5: expected a function\n' +
        '  - timeoutMs = 0: expected a number of ms > 0 and ≤ 2147483647\n' +
        '  - retry.maxAttempts = -1: expected an integer ≥ 0',
    );
  });

  it('rejects every negative delay, whatever the option', () => {
    fc.assert(
      fc.property(
        fc.double({ max: -Number.MIN_VALUE, noNaN: true }),
        fc.constantFrom('timeoutMs', 'probeTimeoutMs', 'retry', 'halfOpen'),
        (value, where) => {
          const options: ReportPolicyOptions<unknown> =
            where === 'retry'
              ? { retry: { initialDelayMs: value } }
              : where === 'halfOpen'
                ? { halfOpen: { initialDelayMs: value } }
                : { [where]: value };
          expect(() => resolveOptions(options)).toThrow(OptionsError);
        },
      ),
    );
  });

  it('accepts zero delays and zero retries', () => {
    expect(() =>
      resolveOptions({
        retry: { maxAttempts: 0, initialDelayMs: 0, maxDelayMs: 0 },
        halfOpen: { initialDelayMs: 0, maxDelayMs: 0 },
      }),
    ).not.toThrow();
  });
});
