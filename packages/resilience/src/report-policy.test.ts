import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type StateChange } from './outcome.js';
import { createReportPolicy } from './report-policy.js';
import { sendResultClassifier, type SendResult } from '../test/send-result.js';

const OK: SendResult = { ok: true };
const SAFE: SendResult = { ok: false, retry: 'safe' };
const UNSAFE: SendResult = { ok: false, retry: 'unsafe' };
const NEVER: SendResult = { ok: false, retry: 'never' };

/** A promise the test settles by hand, plus the signal the policy passed in. */
function deferred<V>(): {
  promise: Promise<V>;
  resolve: (value: V) => void;
  reject: (error: unknown) => void;
} {
  let resolve!: (value: V) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<V>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

function transportPolicy(
  overrides: Parameters<typeof createReportPolicy<SendResult>>[0] = {},
): ReturnType<typeof createReportPolicy<SendResult>> {
  return createReportPolicy<SendResult>({ ...sendResultClassifier, ...overrides });
}

/** Fails `times` calls so a consecutive breaker with that threshold opens. */
async function openBreaker(policy: ReturnType<typeof transportPolicy>, times = 5): Promise<void> {
  for (let i = 0; i < times; i++) await policy.execute(() => Promise.resolve(NEVER));
  expect(policy.state).toBe('open');
}

describe('createReportPolicy', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_700_000_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  describe('closed', () => {
    it('resolves the value of a successful call after one attempt', async () => {
      const policy = transportPolicy();
      await expect(policy.execute(() => Promise.resolve(OK))).resolves.toEqual({
        ok: true,
        value: OK,
        attempts: 1,
      });
      expect(policy.snapshot()).toMatchObject({
        state: 'closed',
        calls: 1,
        attempts: 1,
        failures: 0,
      });
    });

    it('resolves (never rejects) with the error when the call throws', async () => {
      const policy = transportPolicy();
      const boom = new Error('boom');
      const outcome = await policy.execute(() => Promise.reject(boom));
      expect(outcome).toMatchObject({ ok: false, reason: 'failed', attempts: 1, error: boom });
      expect(policy.snapshot()).toMatchObject({
        failures: 1,
        consecutiveFailures: 1,
        lastError: boom,
      });
    });

    it('resolves a resolved failure as failed, carrying the result', async () => {
      const policy = transportPolicy();
      const outcome = await policy.execute(() => Promise.resolve(NEVER));
      expect(outcome).toEqual({ ok: false, reason: 'failed', attempts: 1, value: NEVER });
      expect(policy.snapshot().lastError).toBe(NEVER);
    });

    it('resets the consecutive count on success', async () => {
      const policy = transportPolicy();
      for (let i = 0; i < 4; i++) await policy.execute(() => Promise.resolve(NEVER));
      await policy.execute(() => Promise.resolve(OK));
      for (let i = 0; i < 4; i++) await policy.execute(() => Promise.resolve(NEVER));
      expect(policy.state).toBe('closed');
      expect(policy.snapshot().consecutiveFailures).toBe(4);
    });
  });

  describe('retry', () => {
    it('retries safe failures up to maxAttempts with bounded jittered delays', async () => {
      // Jitter fixed mid-range: with a random one the two delays could both fit in the first 286 ms (the bounds of
      // every jittered delay are retry-delays.test.ts's property test).
      vi.spyOn(Math, 'random').mockReturnValue(0.5);
      const policy = transportPolicy({
        retry: { maxAttempts: 2, initialDelayMs: 200, maxDelayMs: 5_000 },
      });
      const fn = vi.fn(() => Promise.resolve(SAFE));
      const outcome = policy.execute(fn);
      await vi.advanceTimersByTimeAsync(0);
      expect(fn).toHaveBeenCalledTimes(1);
      // first retry delay < 2·200/1.4 ms, second < 4·200/1.4 ms
      await vi.advanceTimersByTimeAsync(286);
      expect(fn).toHaveBeenCalledTimes(2);
      await vi.advanceTimersByTimeAsync(572);
      expect(fn).toHaveBeenCalledTimes(3);
      await expect(outcome).resolves.toMatchObject({
        ok: false,
        reason: 'failed',
        attempts: 3,
        value: SAFE,
      });
      expect(policy.snapshot()).toMatchObject({ retries: 2, attempts: 3, failures: 3 });
    });

    it('delivers when a retry succeeds', async () => {
      const policy = transportPolicy();
      const fn = vi
        .fn<() => Promise<SendResult>>()
        .mockResolvedValueOnce(SAFE)
        .mockResolvedValue(OK);
      const outcome = policy.execute(fn);
      await vi.advanceTimersByTimeAsync(5_000);
      await expect(outcome).resolves.toEqual({ ok: true, value: OK, attempts: 2 });
    });

    it.each([
      ['unsafe', UNSAFE],
      ['never', NEVER],
    ])('never retries a %s failure', async (_name, failure) => {
      const policy = transportPolicy();
      const fn = vi.fn(() => Promise.resolve(failure));
      const outcome = policy.execute(fn);
      await vi.advanceTimersByTimeAsync(60_000);
      await expect(outcome).resolves.toMatchObject({
        reason: 'failed',
        attempts: 1,
        value: failure,
      });
      expect(fn).toHaveBeenCalledTimes(1);
      expect(policy.snapshot().retries).toBe(0);
    });

    it('does not retry thrown errors unless told they are retryable', async () => {
      const fn = vi.fn(() => Promise.reject(new Error('reset')));
      const plain = transportPolicy();
      const first = plain.execute(fn);
      await vi.advanceTimersByTimeAsync(60_000);
      await expect(first).resolves.toMatchObject({ reason: 'failed', attempts: 1 });

      const lenient = transportPolicy({ isRetryableError: () => true });
      const second = lenient.execute(fn);
      await vi.advanceTimersByTimeAsync(60_000);
      await expect(second).resolves.toMatchObject({ reason: 'failed', attempts: 3 });
    });

    it('honours a pushback by waiting at least that long before the retry', async () => {
      const policy = transportPolicy({
        retry: { maxAttempts: 1, initialDelayMs: 10, maxDelayMs: 5_000 },
      });
      const fn = vi
        .fn<() => Promise<SendResult>>()
        .mockResolvedValueOnce({ ok: false, retry: 'safe', pushbackMs: 3_000 })
        .mockResolvedValue(OK);
      const outcome = policy.execute(fn);
      await vi.advanceTimersByTimeAsync(2_999);
      expect(fn).toHaveBeenCalledTimes(1);
      await vi.advanceTimersByTimeAsync(1);
      expect(fn).toHaveBeenCalledTimes(2);
      await expect(outcome).resolves.toMatchObject({ ok: true, attempts: 2 });
    });

    it('returns a pushback longer than maxDelayMs to the caller instead of sleeping on it', async () => {
      const policy = transportPolicy();
      const fn = vi.fn(() =>
        Promise.resolve<SendResult>({ ok: false, retry: 'safe', pushbackMs: 30_000 }),
      );
      const outcome = await policy.execute(fn);
      expect(outcome).toMatchObject({
        ok: false,
        reason: 'failed',
        attempts: 1,
        pushbackMs: 30_000,
      });
      expect(fn).toHaveBeenCalledTimes(1);
    });

    it('does not retry once its own failure opened the breaker', async () => {
      const policy = transportPolicy({ breaker: { kind: 'consecutive', threshold: 1 } });
      const fn = vi.fn(() => Promise.resolve(SAFE));
      const outcome = policy.execute(fn);
      await vi.advanceTimersByTimeAsync(10_000);
      await expect(outcome).resolves.toMatchObject({ reason: 'failed', attempts: 1 });
      expect(fn).toHaveBeenCalledTimes(1);
      expect(policy.state).toBe('open');
    });

    it('abandons a pending retry when another call opens the breaker during the backoff', async () => {
      const policy = transportPolicy({ breaker: { kind: 'consecutive', threshold: 2 } });
      const retried = vi.fn(() => Promise.resolve(SAFE));
      const outcome = policy.execute(retried);
      await vi.advanceTimersByTimeAsync(0);
      await policy.execute(() => Promise.resolve(NEVER)); // second failure in a row: opens
      expect(policy.state).toBe('open');
      await vi.advanceTimersByTimeAsync(5_000);
      await expect(outcome).resolves.toMatchObject({ ok: false, reason: 'open', attempts: 1 });
      expect(retried).toHaveBeenCalledTimes(1);
    });
  });

  describe('timeout', () => {
    it('cuts a hung call at the deadline, aborting its signal, and does not retry it', async () => {
      const policy = transportPolicy({ timeoutMs: 1_000, isRetryableError: () => false });
      let seen: AbortSignal | undefined;
      const fn = vi.fn((signal: AbortSignal) => {
        seen = signal;
        return new Promise<SendResult>(() => undefined); // ignores its signal forever
      });
      const outcome = policy.execute(fn);
      await vi.advanceTimersByTimeAsync(999);
      expect(seen?.aborted).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      const result = await outcome;
      expect(result).toMatchObject({ ok: false, reason: 'timeout', attempts: 1 });
      expect(seen?.aborted).toBe(true);
      expect(fn).toHaveBeenCalledTimes(1);
      expect(policy.snapshot()).toMatchObject({ failures: 1, consecutiveFailures: 1 });
    });

    it('counts timeouts toward opening the breaker', async () => {
      const policy = transportPolicy({ timeoutMs: 100 });
      for (let i = 0; i < 5; i++) {
        const outcome = policy.execute(() => new Promise<SendResult>(() => undefined));
        await vi.advanceTimersByTimeAsync(100);
        await expect(outcome).resolves.toMatchObject({ reason: 'timeout' });
      }
      expect(policy.state).toBe('open');
    });

    it('reports a caller abort as cancelled and does not count it against the backend', async () => {
      const policy = transportPolicy();
      const caller = new AbortController();
      let seen: AbortSignal | undefined;
      const outcome = policy.execute(
        (signal) => {
          seen = signal;
          return new Promise<SendResult>(() => undefined);
        },
        { signal: caller.signal },
      );
      await vi.advanceTimersByTimeAsync(10);
      caller.abort();
      await expect(outcome).resolves.toMatchObject({ ok: false, reason: 'cancelled', attempts: 1 });
      expect(seen?.aborted).toBe(true);
      expect(policy.snapshot()).toMatchObject({ failures: 0, consecutiveFailures: 0 });
    });

    it('does not call fn at all when the caller signal is already aborted', async () => {
      const policy = transportPolicy();
      const fn = vi.fn(() => Promise.resolve(OK));
      const outcome = await policy.execute(fn, { signal: AbortSignal.abort() });
      expect(outcome).toMatchObject({ reason: 'cancelled', attempts: 0 });
      expect(fn).not.toHaveBeenCalled();
    });
  });

  describe('breaker', () => {
    it('opens after 5 consecutive failures and then refuses calls without running them', async () => {
      const policy = transportPolicy();
      await openBreaker(policy);
      const now = Date.now();
      const nextProbeAt = policy.nextProbeAt ?? Number.NaN;
      // first half-open delay: decorrelated jitter around 1 s, below 2·1000/1.4 ms
      expect(nextProbeAt).toBeGreaterThanOrEqual(now);
      expect(nextProbeAt).toBeLessThanOrEqual(now + 1_429);

      const fn = vi.fn(() => Promise.resolve(OK));
      vi.setSystemTime(nextProbeAt - 1);
      const outcome = await policy.execute(fn);
      expect(outcome).toEqual({ ok: false, reason: 'open', attempts: 0, nextProbeAt });
      expect(fn).not.toHaveBeenCalled();
      expect(policy.snapshot()).toMatchObject({
        state: 'open',
        openedAt: now,
        nextProbeAt,
        consecutiveFailures: 5,
        rejections: 1,
        lastError: NEVER,
      });
    });

    it('emits closed → open → half-open → closed around a successful probe', async () => {
      const probe = vi.fn(() => Promise.resolve(OK));
      const policy = transportPolicy({ probe });
      const changes: StateChange[] = [];
      policy.onStateChange((change) => changes.push(change));
      await openBreaker(policy);
      const nextProbeAt = policy.nextProbeAt ?? 0;
      vi.setSystemTime(nextProbeAt);
      const fn = vi.fn(() => Promise.resolve(OK));
      await expect(policy.execute(fn)).resolves.toEqual({ ok: true, value: OK, attempts: 1 });
      expect(changes.map((c) => `${c.previous}→${c.state}`)).toEqual([
        'closed→open',
        'open→half-open',
        'half-open→closed',
      ]);
      expect(changes[0]?.nextProbeAt).toBe(nextProbeAt);
      expect(policy.snapshot()).toMatchObject({ state: 'closed', probes: 1, openedAt: undefined });
    });

    it('runs the probe before the data, never the data as the trial', async () => {
      const order: string[] = [];
      const policy = transportPolicy({
        probe: () => {
          order.push('probe');
          return Promise.resolve(OK);
        },
      });
      await openBreaker(policy);
      vi.setSystemTime(policy.nextProbeAt ?? 0);
      await policy.execute(() => {
        order.push('data');
        return Promise.resolve(OK);
      });
      expect(order).toEqual(['probe', 'data']);
    });

    it('sends no data while a probe is pending, then lets every waiting call through', async () => {
      const pending = deferred<SendResult>();
      const probe = vi.fn(() => pending.promise);
      const policy = transportPolicy({ probe });
      await openBreaker(policy);
      vi.setSystemTime(policy.nextProbeAt ?? 0);
      const data = vi.fn(() => Promise.resolve(OK));
      const first = policy.execute(data);
      const second = policy.execute(data);
      await vi.advanceTimersByTimeAsync(100);
      expect(policy.state).toBe('half-open');
      expect(policy.nextProbeAt).toBeUndefined();
      expect(probe).toHaveBeenCalledTimes(1);
      expect(data).not.toHaveBeenCalled();
      pending.resolve(OK);
      await expect(first).resolves.toMatchObject({ ok: true });
      await expect(second).resolves.toMatchObject({ ok: true });
      expect(data).toHaveBeenCalledTimes(2);
      expect(probe).toHaveBeenCalledTimes(1);
    });

    it('never keeps data waiting behind a hung probe longer than probeTimeoutMs', async () => {
      let probeSignal: AbortSignal | undefined;
      const policy = transportPolicy({
        probeTimeoutMs: 2_000,
        probe: (signal) => {
          probeSignal = signal;
          return new Promise<SendResult>(() => undefined);
        },
      });
      await openBreaker(policy);
      vi.setSystemTime(policy.nextProbeAt ?? 0);
      const data = vi.fn(() => Promise.resolve(OK));
      let settled = 0;
      const calls = [policy.execute(data), policy.execute(data)].map((p) =>
        p.then((outcome) => {
          settled++;
          return outcome;
        }),
      );
      await vi.advanceTimersByTimeAsync(1_999);
      expect(settled).toBe(0);
      await vi.advanceTimersByTimeAsync(1);
      for (const outcome of await Promise.all(calls)) {
        expect(outcome).toMatchObject({ ok: false, reason: 'open', attempts: 0 });
      }
      expect(probeSignal?.aborted).toBe(true);
      expect(data).not.toHaveBeenCalled();
      expect(policy.state).toBe('open');
      expect(policy.snapshot()).toMatchObject({ probes: 1, probeFailures: 1 });
    });

    it('lengthens the delay after each failed probe up to 10 s, and starts over after a success', async () => {
      vi.spyOn(Math, 'random').mockReturnValue(0.5);
      let probeResult: SendResult = NEVER;
      const policy = transportPolicy({ probe: () => Promise.resolve(probeResult) });
      await openBreaker(policy);
      const delays: number[] = [];
      for (let i = 0; i < 10; i++) {
        const nextProbeAt = policy.nextProbeAt ?? 0;
        delays.push(nextProbeAt - Date.now());
        vi.setSystemTime(nextProbeAt);
        await expect(policy.execute(() => Promise.resolve(OK))).resolves.toMatchObject({
          reason: 'open',
        });
      }
      const growing = delays.slice(0, delays.indexOf(10_000));
      expect(growing.length).toBeGreaterThanOrEqual(3);
      for (let i = 1; i < growing.length; i++) {
        expect(growing[i]).toBeGreaterThan(growing[i - 1] ?? 0);
      }
      expect(delays.slice(-3)).toEqual([10_000, 10_000, 10_000]);

      probeResult = OK;
      vi.setSystemTime(policy.nextProbeAt ?? 0);
      await expect(policy.execute(() => Promise.resolve(OK))).resolves.toMatchObject({ ok: true });
      await openBreaker(policy);
      expect((policy.nextProbeAt ?? 0) - Date.now()).toBe(delays[0]);
    });

    it('counts a thrown probe as a failed probe', async () => {
      const policy = transportPolicy({ probe: () => Promise.reject(new Error('refused')) });
      await openBreaker(policy);
      vi.setSystemTime(policy.nextProbeAt ?? 0);
      const fn = vi.fn(() => Promise.resolve(OK));
      await expect(policy.execute(fn)).resolves.toMatchObject({ reason: 'open', attempts: 0 });
      expect(fn).not.toHaveBeenCalled();
      expect(policy.snapshot().lastError).toEqual(new Error('refused'));
    });

    it('uses the data call as the trial when no probe is configured', async () => {
      const policy = transportPolicy();
      await openBreaker(policy);
      vi.setSystemTime(policy.nextProbeAt ?? 0);
      const trial = deferred<SendResult>();
      const first = policy.execute(() => trial.promise);
      const waiting = vi.fn(() => Promise.resolve(OK));
      const second = policy.execute(waiting);
      await vi.advanceTimersByTimeAsync(10);
      expect(policy.state).toBe('half-open');
      expect(waiting).not.toHaveBeenCalled();
      trial.resolve(OK);
      await expect(first).resolves.toMatchObject({ ok: true });
      await expect(second).resolves.toMatchObject({ ok: true });
      expect(policy.state).toBe('closed');
    });

    it('opens on a high failure rate with the sampling breaker', async () => {
      const policy = transportPolicy({
        breaker: { kind: 'sampling', threshold: 0.5, durationMs: 10_000, minimumRps: 1 },
      });
      for (let i = 0; i < 100 && policy.state === 'closed'; i++) {
        await policy.execute(() => Promise.resolve(i % 4 === 0 ? OK : NEVER));
        vi.advanceTimersByTime(50);
      }
      expect(policy.state).toBe('open');
    });

    it('takes its time from the injected clock', async () => {
      vi.useRealTimers();
      let now = 5_000;
      const probe = vi.fn(() => Promise.resolve(OK));
      const policy = transportPolicy({ now: () => now, probe });
      await openBreaker(policy);
      expect(policy.snapshot().openedAt).toBe(5_000);
      const nextProbeAt = policy.nextProbeAt ?? Number.NaN;
      expect(nextProbeAt).toBeGreaterThanOrEqual(5_000);
      expect(nextProbeAt).toBeLessThanOrEqual(6_429);
      now = nextProbeAt - 1;
      await expect(policy.execute(() => Promise.resolve(OK))).resolves.toMatchObject({
        reason: 'open',
      });
      expect(probe).not.toHaveBeenCalled();
      now = nextProbeAt;
      await expect(policy.execute(() => Promise.resolve(OK))).resolves.toMatchObject({ ok: true });
      expect(probe).toHaveBeenCalledTimes(1);
    });
  });

  describe('manual control', () => {
    it('isolate() refuses calls until released', async () => {
      const policy = transportPolicy();
      const changes: string[] = [];
      policy.onStateChange((c) => changes.push(c.state));
      const release = policy.isolate();
      const fn = vi.fn(() => Promise.resolve(OK));
      await expect(policy.execute(fn)).resolves.toMatchObject({
        ok: false,
        reason: 'isolated',
        attempts: 0,
      });
      expect(fn).not.toHaveBeenCalled();
      expect(policy.nextProbeAt).toBeUndefined();
      release();
      release(); // idempotent
      await expect(policy.execute(fn)).resolves.toMatchObject({ ok: true });
      expect(changes).toEqual(['isolated', 'closed']);
    });

    it('reset() closes an open breaker and forgets its failure count', async () => {
      const policy = transportPolicy();
      const changes: string[] = [];
      policy.onStateChange((c) => changes.push(`${c.previous}→${c.state}`));
      await openBreaker(policy);
      policy.reset();
      expect(policy.snapshot()).toMatchObject({
        state: 'closed',
        consecutiveFailures: 0,
        nextProbeAt: undefined,
      });
      expect(changes).toEqual(['closed→open', 'open→closed']);
      // a single failure must not re-open it: the count really was forgotten
      await policy.execute(() => Promise.resolve(NEVER));
      expect(policy.state).toBe('closed');
    });

    it('reset() also ends an isolation', async () => {
      const policy = transportPolicy();
      policy.isolate();
      policy.reset();
      await expect(policy.execute(() => Promise.resolve(OK))).resolves.toMatchObject({ ok: true });
    });

    it('a retry that outlives reset() goes through the new breaker, not the one it started on', async () => {
      const policy = transportPolicy({
        retry: { maxAttempts: 1, initialDelayMs: 100, maxDelayMs: 100 },
        breaker: { kind: 'consecutive', threshold: 2 },
      });
      let sent = 0;
      const retried = policy.execute(() => Promise.resolve(sent++ === 0 ? SAFE : NEVER));
      await vi.advanceTimersByTimeAsync(0);
      await policy.execute(() => Promise.resolve(NEVER));
      expect(policy.state).toBe('open');
      policy.reset();
      await vi.runAllTimersAsync();
      await expect(retried).resolves.toMatchObject({ ok: false, reason: 'failed', attempts: 2 });
      // the retry's failure was the new breaker's first: one more opens it
      expect(policy.state).toBe('closed');
      await policy.execute(() => Promise.resolve(NEVER));
      expect(policy.state).toBe('open');
    });

    it('stops notifying a listener once its disposer is called, and survives a throwing listener', async () => {
      const policy = transportPolicy();
      const kept = vi.fn();
      const dropped = vi.fn();
      policy.onStateChange(() => {
        throw new Error('listener bug');
      });
      policy.onStateChange(kept);
      const dispose = policy.onStateChange(dropped);
      dispose();
      expect(policy.listenerCount).toBe(2);
      await openBreaker(policy);
      expect(kept).toHaveBeenCalledTimes(1);
      expect(dropped).not.toHaveBeenCalled();
    });

    it('dispose() cancels a pending probe and later calls', async () => {
      let probeSignal: AbortSignal | undefined;
      const policy = transportPolicy({
        probe: (signal) => {
          probeSignal = signal;
          return new Promise<SendResult>(() => undefined);
        },
      });
      policy.onStateChange(() => undefined);
      await openBreaker(policy);
      vi.setSystemTime(policy.nextProbeAt ?? 0);
      const waiting = policy.execute(() => Promise.resolve(OK));
      await vi.advanceTimersByTimeAsync(1);
      policy.dispose();
      await expect(waiting).resolves.toMatchObject({ reason: 'cancelled', attempts: 0 });
      expect(probeSignal?.aborted).toBe(true);
      expect(policy.listenerCount).toBe(0);
      await expect(policy.execute(() => Promise.resolve(OK))).resolves.toMatchObject({
        reason: 'cancelled',
      });
    });
  });

  it('leaves no timer behind after settling, even for retries and timeouts', async () => {
    const policy = transportPolicy({ timeoutMs: 100 });
    await policy.execute(() => Promise.resolve(OK));
    const retried = policy.execute(() => Promise.resolve(SAFE));
    const hung = policy.execute(() => new Promise<SendResult>(() => undefined));
    await vi.advanceTimersByTimeAsync(10_000);
    await retried;
    await hung;
    expect(vi.getTimerCount()).toBe(0);
  });
});
