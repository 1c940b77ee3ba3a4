import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createReportPolicy } from '../src/index.js';
import { sendResultClassifier, type SendResult } from './send-result.js';

const FAILURES = 100_000;
const NEVER: SendResult = { ok: false, retry: 'never' };
const SAFE: SendResult = { ok: false, retry: 'safe' };

/** Frames on the stack right now, sync and async, with no limit on how many are counted. */
function stackDepth(): number {
  return (new Error().stack ?? '').split('\n').length;
}

/**
 * Depths seen at call 1, 2, 3 and then every 97th call and the last. Call 1 starts on the test runner's stack;
 * every later call starts from a settled promise, so from call 2 on one depth is expected.
 */
class DepthProbe {
  private readonly seen = new Map<number, number>();
  private calls = 0;

  record(): void {
    this.calls++;
    if (this.calls <= 3 || this.calls % 97 === 0 || this.calls === FAILURES) {
      this.seen.set(this.calls, stackDepth());
    }
  }

  get first(): number {
    return this.seen.get(1) ?? Number.NaN;
  }

  /** Distinct depths from the second call on. */
  get laterDepths(): number[] {
    return [...new Set([...this.seen].filter(([call]) => call > 1).map(([, depth]) => depth))];
  }

  get lastCall(): number {
    return Math.max(...this.seen.keys());
  }
}

describe('flat stack', () => {
  let limit: number;
  beforeEach(() => {
    limit = Error.stackTraceLimit;
    Error.stackTraceLimit = Number.POSITIVE_INFINITY;
  });
  afterEach(() => {
    Error.stackTraceLimit = limit;
    vi.useRealTimers();
  });

  it('the stack inside fn is as deep on the 100,000th failure as on the first', async () => {
    const policy = createReportPolicy<SendResult>({
      ...sendResultClassifier,
      breaker: { kind: 'consecutive', threshold: Number.MAX_SAFE_INTEGER },
    });
    const depths = new DepthProbe();
    let thrown = 0;
    for (let i = 0; i < FAILURES; i++) {
      const outcome = await policy.execute(() => {
        depths.record();
        if (i % 2 === 0) return Promise.resolve(NEVER);
        thrown++;
        return Promise.reject(new Error('down'));
      });
      if (outcome.ok) throw new Error('expected a failure');
    }
    expect(thrown).toBe(FAILURES / 2);
    expect(policy.snapshot().consecutiveFailures).toBe(FAILURES);
    expect(depths.lastCall).toBe(FAILURES);
    expect(depths.laterDepths).toHaveLength(1);
    expect(depths.laterDepths[0]).toBeLessThanOrEqual(depths.first);
  });

  it('the stack inside the probe is as deep on the 100,000th failed probe as on the first', async () => {
    let now = 0;
    const depths = new DepthProbe();
    const policy = createReportPolicy<SendResult>({
      ...sendResultClassifier,
      breaker: { kind: 'consecutive', threshold: 1 },
      now: () => (now += 20_000),
      probe: () => {
        depths.record();
        return Promise.resolve(NEVER);
      },
    });
    await policy.execute(() => Promise.resolve(NEVER));
    for (let i = 0; i < FAILURES; i++) {
      await policy.execute(() => Promise.resolve({ ok: true }));
    }
    expect(policy.snapshot().probeFailures).toBe(FAILURES);
    expect(depths.lastCall).toBe(FAILURES);
    expect(depths.laterDepths).toHaveLength(1);
    expect(depths.laterDepths[0]).toBeLessThanOrEqual(depths.first);
  });

  it('retries are iterations: the stack inside fn does not grow with the attempt number', async () => {
    vi.useFakeTimers();
    const policy = createReportPolicy<SendResult>({
      ...sendResultClassifier,
      retry: { maxAttempts: 50, initialDelayMs: 1, maxDelayMs: 1 },
      breaker: { kind: 'consecutive', threshold: Number.MAX_SAFE_INTEGER },
    });
    const depthByAttempt: number[] = [];
    const outcome = policy.execute(() => {
      depthByAttempt.push(stackDepth());
      return Promise.resolve(SAFE);
    });
    await vi.runAllTimersAsync();
    await expect(outcome).resolves.toMatchObject({ reason: 'failed', attempts: 51 });
    // the first attempt starts from execute(); every retry starts from the backoff timer, all at one depth
    expect(new Set(depthByAttempt.slice(1)).size).toBe(1);
    expect(depthByAttempt[50]).toBeLessThanOrEqual(depthByAttempt[0] ?? 0);
  });
});
