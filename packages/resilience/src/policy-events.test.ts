import { describe, expect, it, vi } from 'vitest';
import { PolicyEvents } from './policy-events.js';

describe('PolicyEvents', () => {
  it('listens only once someone subscribes, and stops when they unsubscribe', () => {
    const events = new PolicyEvents();
    expect(events.listening).toBe(false);
    const subscription = events.onFailure(() => undefined);
    expect(events.listening).toBe(true);
    subscription.dispose();
    expect(events.listening).toBe(false);
  });

  it('reports a resolved run as a success and a rejected one as an unhandled failure', async () => {
    const events = new PolicyEvents();
    const successes = vi.fn();
    const failures = vi.fn();
    events.onSuccess(successes);
    events.onFailure(failures);
    await expect(events.observe(() => Promise.resolve('ok'))).resolves.toBe('ok');
    const error = new Error('down');
    await expect(events.observe(() => Promise.reject(error))).rejects.toBe(error);
    expect(successes).toHaveBeenCalledOnce();
    expect(successes.mock.calls[0]?.[0]).toEqual({ duration: expect.any(Number) });
    expect(failures.mock.calls).toEqual([
      [{ duration: expect.any(Number), handled: false, reason: { error } }],
    ]);
  });
});
