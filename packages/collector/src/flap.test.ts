import { afterEach, describe, expect, it, vi } from 'vitest';
import { type ListenerMode } from './fault.js';
import { startFlapping } from './flap.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('startFlapping', () => {
  it('refuses at once, then alternates up and refuse every period', () => {
    vi.useFakeTimers();
    const modes: ListenerMode[] = [];
    const stop = startFlapping(
      (mode) => {
        modes.push(mode);
        return Promise.resolve();
      },
      100,
      () => {},
    );
    expect(modes).toEqual(['refuse']);
    vi.advanceTimersByTime(99);
    expect(modes).toEqual(['refuse']);
    vi.advanceTimersByTime(1);
    expect(modes).toEqual(['refuse', 'up']);
    vi.advanceTimersByTime(200);
    expect(modes).toEqual(['refuse', 'up', 'refuse', 'up']);
    stop();
    vi.advanceTimersByTime(1000);
    expect(modes).toHaveLength(4);
  });

  it('reports a failed switch instead of throwing and keeps flapping', async () => {
    vi.useFakeTimers();
    const errors: unknown[] = [];
    let calls = 0;
    const stop = startFlapping(
      () => {
        calls += 1;
        return Promise.reject(new Error('port taken'));
      },
      50,
      (error) => errors.push(error),
    );
    vi.advanceTimersByTime(50);
    // The rejections are handled in microtasks; let them run without moving the fake clock.
    for (let i = 0; i < 5; i += 1) await Promise.resolve();
    expect(errors).toHaveLength(2);
    expect(calls).toBe(2);
    stop();
  });

  it('does not keep the event loop alive', () => {
    const setIntervalSpy = vi.spyOn(globalThis, 'setInterval');
    const stop = startFlapping(
      () => Promise.resolve(),
      1000,
      () => {},
    );
    const timer = setIntervalSpy.mock.results[0]?.value as NodeJS.Timeout;
    expect(timer.hasRef()).toBe(false);
    stop();
    setIntervalSpy.mockRestore();
  });
});
