import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConditionWaiters } from './waiters.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('ConditionWaiters', () => {
  it('resolves at once when the condition already holds', async () => {
    const waiters = new ConditionWaiters();
    await expect(waiters.waitFor(() => 'ready', 1000)).resolves.toBe('ready');
    expect(waiters.pending).toBe(0);
  });

  it('resolves with the condition value on the notify after it becomes true', async () => {
    const waiters = new ConditionWaiters();
    let items: number[] = [];
    const waiting = waiters.waitFor(() => items.find((n) => n > 2), 1000);
    items = [1, 2];
    waiters.notify();
    expect(waiters.pending).toBe(1);
    items = [1, 2, 3];
    waiters.notify();
    await expect(waiting).resolves.toBe(3);
    expect(waiters.pending).toBe(0);
  });

  it('rejects after the timeout and forgets the waiter', async () => {
    vi.useFakeTimers();
    const waiters = new ConditionWaiters();
    const waiting = waiters.waitFor(() => false, 500);
    const assertion = expect(waiting).rejects.toThrow(/after 500 ms/);
    vi.advanceTimersByTime(500);
    await assertion;
    expect(waiters.pending).toBe(0);
  });

  it('rejects only the wait whose condition throws', async () => {
    const waiters = new ConditionWaiters();
    let explode = false;
    let done = false;
    const failing = waiters.waitFor(() => {
      if (explode) throw new Error('boom');
      return false;
    }, 1000);
    const healthy = waiters.waitFor(() => done, 1000);
    explode = true;
    done = true;
    waiters.notify();
    await expect(failing).rejects.toThrow('boom');
    await expect(healthy).resolves.toBe(true);
  });

  it('failAll rejects every pending wait', async () => {
    const waiters = new ConditionWaiters();
    const a = waiters.waitFor(() => false, 1000);
    const b = waiters.waitFor(() => false, 1000);
    waiters.failAll(new Error('stopped'));
    await expect(a).rejects.toThrow('stopped');
    await expect(b).rejects.toThrow('stopped');
    expect(waiters.pending).toBe(0);
  });
});
