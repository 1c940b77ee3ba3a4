import { CircuitState, TaskCancelledError, TimeoutStrategy, timeout, wrap } from 'cockatiel';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createCircuit } from './breaker.js';
import { CallerCancellation, CancelledByCaller } from './caller-cancellation.js';
import { ProbeSchedule } from './probe-schedule.js';

const deadline = (ms: number) =>
  timeout(ms, { strategy: TimeoutStrategy.Aggressive, abortOnReturn: false });

/** An attempt that settles only when its signal aborts. */
function hung(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
  });
}

describe('CallerCancellation', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('passes results and errors through while the caller has not aborted', async () => {
    const caller = new AbortController();
    const cancellation = new CallerCancellation(caller.signal);
    await expect(cancellation.execute(() => 'ok')).resolves.toBe('ok');
    const error = new Error('down');
    await expect(cancellation.execute(() => Promise.reject(error))).rejects.toBe(error);
  });

  it('hands the caller signal to the deadline: the caller aborting aborts the attempt', async () => {
    const caller = new AbortController();
    const attempt = wrap(new CallerCancellation(caller.signal), deadline(60_000)).execute(
      ({ signal }) => hung(signal),
    );
    caller.abort();
    const error = await attempt.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CancelledByCaller);
    expect((error as CancelledByCaller).cause).toEqual(new Error('aborted'));
  });

  it('leaves the deadline its own: an attempt that ignores its signal still times out as a timeout', async () => {
    vi.useFakeTimers();
    const caller = new AbortController();
    const attempt = wrap(new CallerCancellation(caller.signal), deadline(1_000))
      .execute(() => new Promise<never>(() => undefined))
      .catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(await attempt).toBeInstanceOf(TaskCancelledError);
  });

  it('hands the next policy the caller signal, or none when the caller has none', async () => {
    const next = deadline(60_000);
    const execute = vi.spyOn(next, 'execute');
    const caller = new AbortController();
    await wrap(new CallerCancellation(caller.signal), next).execute(() => 'ok');
    await wrap(new CallerCancellation(undefined), next).execute(() => 'ok');
    expect(execute.mock.calls.map(([, signal]) => signal)).toEqual([caller.signal, undefined]);
  });

  it('keeps a cancelled attempt from counting against the breaker outside it', async () => {
    const breaker = createCircuit(
      { kind: 'consecutive', threshold: 1 },
      new ProbeSchedule(1_000, 1_000),
      () => false,
    );
    const caller = new AbortController();
    const attempt = wrap(breaker, new CallerCancellation(caller.signal), deadline(60_000)).execute(
      ({ signal }) => hung(signal),
    );
    caller.abort();
    await expect(attempt).rejects.toBeInstanceOf(CancelledByCaller);
    expect(breaker.state).toBe(CircuitState.Closed);
    await expect(
      wrap(breaker, new CallerCancellation(undefined)).execute(() =>
        Promise.reject(new Error('down')),
      ),
    ).rejects.toThrow('down');
    expect(breaker.state).toBe(CircuitState.Open);
  });
});
