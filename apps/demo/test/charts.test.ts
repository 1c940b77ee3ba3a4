// The dashboard's axis rules, run in Node on the very module the page loads.
import { describe, expect, it } from 'vitest';
import { axisMax, clippedPeaks, formatBytes, niceMax, niceMaxBytes } from '../public/charts.js';

const KiB = 1024;

describe('byte axes', () => {
  it('round up to a power of two, so the axis and its half-way line read in whole KiB or MiB', () => {
    // The queued-bytes chart used to read 244k / 488k: a decimal 500,000 printed in KiB.
    expect(niceMax(250_000)).toBe(500_000);
    expect(niceMaxBytes(250_000)).toBe(256 * KiB);
    expect(niceMaxBytes(256 * KiB)).toBe(256 * KiB);
    expect(niceMaxBytes(256 * KiB + 1)).toBe(512 * KiB);
    expect(niceMaxBytes(3 * 1024 * KiB)).toBe(4 * 1024 * KiB);
    for (const top of [64 * KiB, 256 * KiB, 512 * KiB, 1024 * KiB, 8 * 1024 * KiB]) {
      for (const tick of [0, top / 2, top]) expect(formatBytes(tick)).toMatch(/^\d+ (B|KiB|MiB)$/);
    }
  });

  it('formats bytes in binary units', () => {
    expect([0, 512, 1536, 128 * KiB, 1024 * KiB, 1.5 * 1024 * KiB].map(formatBytes)).toEqual([
      '0 B',
      '512 B',
      '1.5 KiB',
      '128 KiB',
      '1 MiB',
      '1.5 MiB',
    ]);
  });
});

describe('clipping a burst', () => {
  // 100 s of a steady ~40/s with the backlog delivered after an outage (3 samples at ~3,000/s) at second 60.
  const steady = Array.from({ length: 100 }, (_, i) => 38 + (i % 5));
  const burst = steady.map((v, i) => (i >= 60 && i < 63 ? 3000 + i : v));

  it('keeps the steady line readable once the burst is older than the newest samples', () => {
    const { max, clipped } = axisMax([{ values: burst }, { values: steady }], { clip: true });
    expect(clipped).toBe(true);
    expect(max).toBe(100); // twice the steady 90th percentile, rounded up: 42 fills 42 % of the height
    expect(clippedPeaks(burst, max)).toEqual([{ index: 62, value: 3062 }]);
  });

  it('scales to a burst still among the newest samples, and to everything without clip', () => {
    const recent = steady.map((v, i) => (i >= 97 ? 3000 : v));
    expect(axisMax([{ values: recent }], { clip: true })).toEqual({ max: 5000, clipped: false });
    expect(axisMax([{ values: burst }])).toEqual({ max: 5000, clipped: false });
  });

  it('follows a lasting change of level instead of clipping it', () => {
    const raised = steady.map((v, i) => (i >= 50 ? 300 : v));
    expect(axisMax([{ values: raised }], { clip: true })).toEqual({ max: 500, clipped: false });
  });

  it('never clips when there is no steady level to keep readable', () => {
    const zeros = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 500, 0, 0, 0, 0, 0, 0];
    expect(axisMax([{ values: zeros }, { values: [null, null] }], { clip: true })).toEqual({
      max: 500,
      clipped: false,
    });
  });
});
