import { describe, expect, it } from 'vitest';
import { RateSampler } from './sampler.js';

describe('RateSampler', () => {
  it('keeps everything at 1 and nothing at 0', () => {
    expect(new RateSampler(1, () => 0.999).shouldSample()).toBe(true);
    expect(new RateSampler(0, () => 0).shouldSample()).toBe(false);
  });

  it('keeps a draw below the rate', () => {
    const draws = [0.1, 0.5, 0.29, 0.3];
    const sampler = new RateSampler(0.3, () => draws.shift()!);
    expect([1, 2, 3, 4].map(() => sampler.shouldSample())).toEqual([true, false, true, false]);
  });

  it('clamps the rate and ignores non-numbers, at construction and at run time', () => {
    const sampler = new RateSampler(7);
    expect(sampler.sampleRate).toBe(1);
    sampler.setRate(-1);
    expect(sampler.sampleRate).toBe(0);
    sampler.setRate(Number.NaN);
    expect(sampler.sampleRate).toBe(0);
    sampler.setRate('0.5' as unknown as number);
    expect(sampler.sampleRate).toBe(0);
    sampler.setRate(0.25);
    expect(sampler.sampleRate).toBe(0.25);
  });
});
