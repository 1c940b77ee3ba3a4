import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createReportPolicy } from './report-policy.js';
import { sendResultClassifier, type SendResult } from '../test/send-result.js';

type Step = { advanceMs: number; data: 'ok' | 'fail' | 'throw'; probe: 'ok' | 'fail' };

const step: fc.Arbitrary<Step> = fc.record({
  advanceMs: fc.integer({ min: 0, max: 4_000 }),
  data: fc.constantFrom('ok', 'fail', 'throw'),
  probe: fc.constantFrom('ok', 'fail'),
});

const result = (kind: 'ok' | 'fail'): SendResult =>
  kind === 'ok' ? { ok: true } : { ok: false, retry: 'unsafe' };

describe('ReportPolicy invariants (property)', () => {
  it('never sends before nextProbeAt, probes only when due, and reports what really happened', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(step, { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 1, max: 4 }),
        async (steps, threshold) => {
          let now = 1_000_000;
          let probeKind: 'ok' | 'fail' = 'ok';
          let probesRun = 0;
          const policy = createReportPolicy<SendResult>({
            ...sendResultClassifier,
            now: () => now,
            retry: { maxAttempts: 0 },
            breaker: { kind: 'consecutive', threshold },
            probe: () => {
              probesRun++;
              return Promise.resolve(result(probeKind));
            },
          });
          let delivered = 0;
          for (const { advanceMs, data, probe } of steps) {
            now += advanceMs;
            probeKind = probe;
            const before = policy.snapshot();
            const probesBefore = probesRun;
            let sent = 0;
            const outcome = await policy.execute(() => {
              sent++;
              return data === 'throw'
                ? Promise.reject(new Error('down'))
                : Promise.resolve(result(data));
            });
            const probed = probesRun - probesBefore;

            if (before.state === 'open' && now < (before.nextProbeAt ?? 0)) {
              expect(sent).toBe(0);
              expect(probed).toBe(0);
            }
            if (before.state === 'closed') expect(probed).toBe(0);
            if (probed > 0) expect(now).toBeGreaterThanOrEqual(before.nextProbeAt ?? Infinity);
            if (probed > 0 && probe === 'fail') expect(sent).toBe(0);

            expect(outcome.attempts).toBe(sent);
            expect(outcome.ok).toBe(sent === 1 && data === 'ok');
            if (outcome.ok) delivered++;
            if (!outcome.ok && (outcome.reason === 'open' || outcome.reason === 'isolated')) {
              expect(outcome.attempts).toBe(0);
            }

            const after = policy.snapshot();
            if (after.state === 'open') {
              expect(after.consecutiveFailures).toBeGreaterThanOrEqual(threshold);
              expect(after.nextProbeAt).toBeGreaterThanOrEqual(after.openedAt ?? Infinity);
              expect(after.nextProbeAt).toBeLessThanOrEqual((after.openedAt ?? 0) + 10_000);
            } else {
              expect(after.state).toBe('closed');
              expect(after.nextProbeAt).toBeUndefined();
              expect(after.consecutiveFailures).toBeLessThan(threshold);
            }
          }
          const final = policy.snapshot();
          expect(final.calls).toBe(steps.length);
          expect(final.probes).toBe(probesRun);
          expect(final.calls).toBe(delivered + final.rejections + final.failures);
          policy.dispose();
        },
      ),
      { numRuns: 200 },
    );
  });
});
