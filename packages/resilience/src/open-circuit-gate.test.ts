import {
  CircuitState,
  ConstantBackoff,
  ConsecutiveBreaker,
  circuitBreaker,
  handleAll,
  handleWhenResult,
  retry,
  wrap,
} from 'cockatiel';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { OpenCircuitGate, Skipped } from './open-circuit-gate.js';

const never = new AbortController().signal;

/** A breaker that opens on its first failure and stays open for a minute. */
function fragileBreaker() {
  return circuitBreaker(handleAll, { halfOpenAfter: 60_000, breaker: new ConsecutiveBreaker(1) });
}

describe('OpenCircuitGate', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('lets the first pass through whatever the breaker says: the caller already admitted it', async () => {
    const gate = new OpenCircuitGate(() => CircuitState.Open, never);
    const fn = vi.fn(() => Promise.resolve('sent'));
    await expect(gate.execute(fn)).resolves.toBe('sent');
    expect(fn).toHaveBeenCalledOnce();
  });

  it('answers a later pass with Skipped, without calling, unless the breaker is closed now', async () => {
    let state = CircuitState.Closed;
    const stopped = new AbortController();
    const caller = new AbortController();
    const gate = new OpenCircuitGate(() => state, stopped.signal);
    const fn = vi.fn(() => Promise.resolve('sent'));
    await gate.execute(fn);
    await expect(gate.execute(fn)).resolves.toBe('sent');
    state = CircuitState.Open;
    await expect(gate.execute(fn)).resolves.toEqual(new Skipped('open'));
    state = CircuitState.HalfOpen;
    await expect(gate.execute(fn)).resolves.toEqual(new Skipped('open'));
    state = CircuitState.Isolated;
    await expect(gate.execute(fn)).resolves.toEqual(new Skipped('isolated'));
    state = CircuitState.Closed;
    caller.abort();
    await expect(gate.execute(fn, caller.signal)).resolves.toEqual(new Skipped('cancelled'));
    stopped.abort();
    await expect(gate.execute(fn)).resolves.toEqual(new Skipped('cancelled'));
    expect(fn).toHaveBeenCalledTimes(2);
  });

  it('turns a synchronous throw into a rejection', async () => {
    const gate = new OpenCircuitGate(() => CircuitState.Closed, never);
    await expect(
      gate.execute(() => {
        throw new Error('sync');
      }),
    ).rejects.toThrow('sync');
  });

  it('composed after a retry: a retry finds the breaker another call opened during the backoff', async () => {
    vi.useFakeTimers();
    const breaker = fragileBreaker();
    const gate = new OpenCircuitGate(() => breaker.state, never);
    const policy = wrap(
      retry(
        handleWhenResult((result) => result === 'retry me'),
        {
          maxAttempts: 3,
          backoff: new ConstantBackoff(1_000),
        },
      ),
      gate,
      breaker,
    );
    let sent = 0;
    const call = policy.execute(() => {
      sent++;
      return 'retry me';
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(sent).toBe(1);
    await breaker.execute(() => Promise.reject(new Error('down'))).catch(() => undefined);
    expect(breaker.state).toBe(CircuitState.Open);
    await vi.runAllTimersAsync();
    await expect(call).resolves.toEqual(new Skipped('open'));
    expect(sent).toBe(1);
  });

  it('reports a pass to its onSuccess / onFailure listeners, and a refusal to neither', async () => {
    let state = CircuitState.Closed;
    const gate = new OpenCircuitGate(() => state, never);
    const successes = vi.fn();
    const failures = vi.fn();
    gate.onSuccess(successes);
    gate.onFailure(failures);
    await gate.execute(() => 'ok');
    await gate.execute(() => Promise.reject(new Error('down'))).catch(() => undefined);
    state = CircuitState.Open;
    await gate.execute(() => 'not sent');
    expect(successes).toHaveBeenCalledOnce();
    expect(failures).toHaveBeenCalledOnce();
    expect(failures.mock.calls[0]?.[0]).toMatchObject({
      handled: false,
      reason: { error: new Error('down') },
    });
  });
});
