import {
  CircuitState,
  ConsecutiveBreaker,
  TaskCancelledError,
  circuitBreaker,
  handleAll,
  handleWhen,
  type CircuitBreakerPolicy,
} from 'cockatiel';
import { describe, expect, it } from 'vitest';
import { CancelledByCaller } from './caller-cancellation.js';
import { CountedBreaker } from './counted-breaker.js';
import { PolicyCounters } from './policy-counters.js';

const isFailure = (result: unknown): boolean => result === 'failed';

/** Opens on its first counted failure and stays open for a minute. */
function fragileBreaker(): CircuitBreakerPolicy {
  return circuitBreaker(handleAll, { halfOpenAfter: 60_000, breaker: new ConsecutiveBreaker(1) });
}

describe('CountedBreaker', () => {
  it('counts failed results and thrown errors as failures, and a success ends the run', async () => {
    const counter = new PolicyCounters();
    const breaker = circuitBreaker(handleAll, {
      halfOpenAfter: 60_000,
      breaker: new ConsecutiveBreaker(10),
    });
    const counted = new CountedBreaker(() => breaker, counter, isFailure);
    await expect(counted.execute(() => 'failed')).resolves.toBe('failed');
    const timedOut = new TaskCancelledError('timed out');
    await expect(counted.execute(() => Promise.reject(timedOut))).rejects.toBe(timedOut);
    expect(counter.snapshot()).toMatchObject({
      failures: 2,
      consecutiveFailures: 2,
      lastError: timedOut,
    });
    await expect(counted.execute(() => 'delivered')).resolves.toBe('delivered');
    expect(counter.snapshot()).toMatchObject({ failures: 2, consecutiveFailures: 0 });
  });

  it("counts neither a caller's cancellation nor the breaker's refusal", async () => {
    const counter = new PolicyCounters();
    const breaker = circuitBreaker(
      handleWhen((error) => !(error instanceof CancelledByCaller)),
      { halfOpenAfter: 60_000, breaker: new ConsecutiveBreaker(1) },
    );
    const counted = new CountedBreaker(() => breaker, counter, isFailure);
    await expect(
      counted.execute(() => Promise.reject(new CancelledByCaller(new Error('aborted')))),
    ).rejects.toBeInstanceOf(CancelledByCaller);
    await expect(counted.execute(() => Promise.reject(new Error('down')))).rejects.toThrow('down');
    await expect(counted.execute(() => 'never sent')).rejects.toThrow(/circuit/i);
    expect(counter.snapshot()).toMatchObject({ failures: 1, consecutiveFailures: 1 });
  });

  it('runs whichever breaker is current at each attempt', async () => {
    let breaker = fragileBreaker();
    const counted = new CountedBreaker(() => breaker, new PolicyCounters(), isFailure);
    await expect(counted.execute(() => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(breaker.state).toBe(CircuitState.Open);
    breaker = fragileBreaker();
    await expect(counted.execute(() => 'delivered')).resolves.toBe('delivered');
  });
});
