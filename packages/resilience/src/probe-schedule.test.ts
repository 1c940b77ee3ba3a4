import { type IHalfOpenAfterBackoffContext } from 'cockatiel';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ProbeSchedule } from './probe-schedule.js';

const context = (attempt: number): IHalfOpenAfterBackoffContext => ({
  attempt,
  signal: new AbortController().signal,
  result: { error: new Error('down') },
});

describe('ProbeSchedule', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('tells cockatiel the delay is over, and keeps the real delay for the policy', () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
    const schedule = new ProbeSchedule(1_000, 10_000);
    const backoff = schedule.next(context(1));
    expect(backoff.duration).toBe(0);
    expect(schedule.lastDelayMs).toBeGreaterThan(0);
    expect(backoff.next(context(2)).duration).toBe(0);
  });

  it('grows with each failed probe up to the cap, and starts over on a new outage', () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
    const schedule = new ProbeSchedule(1_000, 10_000);
    let backoff = schedule.next(context(1));
    const seen = [schedule.lastDelayMs];
    for (let attempt = 2; attempt <= 12; attempt++) {
      backoff = backoff.next(context(attempt));
      seen.push(schedule.lastDelayMs);
    }
    const growing = seen.slice(0, seen.indexOf(10_000));
    expect(growing.length).toBeGreaterThan(2);
    growing.forEach((delay, i) => {
      if (i > 0) expect(delay).toBeGreaterThan(growing[i - 1] ?? 0);
    });
    expect(seen.slice(-5)).toEqual([10_000, 10_000, 10_000, 10_000, 10_000]);

    schedule.next(context(1));
    expect(schedule.lastDelayMs).toBe(seen[0]);
  });

  it('never exceeds the cap, whatever the jitter', () => {
    const schedule = new ProbeSchedule(1_000, 10_000);
    let backoff = schedule.next(context(1));
    for (let attempt = 2; attempt < 5_000; attempt++) {
      backoff = backoff.next(context(attempt));
      expect(schedule.lastDelayMs).toBeGreaterThanOrEqual(0);
      expect(schedule.lastDelayMs).toBeLessThanOrEqual(10_000);
    }
  });
});
