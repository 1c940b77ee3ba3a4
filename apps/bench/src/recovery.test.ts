import { describe, expect, it } from 'vitest';
import { analyseRecovery, type RecoverySample } from './recovery.js';

/** 100 items/s produced; delivered follows with a lag of 10, stops during the outage, then catches up at 300/s. */
function samples(options: { lost: number }): RecoverySample[] {
  const result: RecoverySample[] = [];
  let delivered = 0;
  for (let atMs = 0; atMs <= 10_000; atMs += 100) {
    const produced = atMs / 10;
    const down = atMs >= 2000 && atMs < 5000;
    if (!down)
      delivered = Math.min(produced - 10 - (atMs >= 5000 ? options.lost : 0), delivered + 30);
    result.push({ atMs, produced, delivered: Math.max(0, delivered), backlog: null });
  }
  return result;
}

describe('analyseRecovery', () => {
  it('times the first delivery and the drain from the moment the backend is back', () => {
    const figures = analyseRecovery(samples({ lost: 0 }), {
      beforeMs: 2000,
      upAtMs: 5000,
      firstDeliveryAtMs: 5150,
    });
    expect(figures.firstDeliveryMs).toBe(150);
    expect(figures.steadyGap).toBe(10);
    expect(figures.finalGap).toBe(10);
    expect(figures.peakGap).toBe(310);
    // 290 behind at 5 s, 20 fewer every 100 ms: within 5 % of the swing above the final gap (≤ 24) at 6.4 s.
    expect(figures.drainedMs).toBe(1400);
    expect(figures.peakBacklog).toBeNull();
  });

  it('counts what was dropped in the final gap, and drains only what was kept', () => {
    const figures = analyseRecovery(samples({ lost: 200 }), {
      beforeMs: 2000,
      upAtMs: 5000,
      firstDeliveryAtMs: 5100,
    });
    expect(figures.finalGap).toBe(210);
    expect(figures.drainedMs).toBeLessThan(1400);
  });

  it('drains from the peak when the agent keeps queueing after the backend is back', () => {
    // Up at 5 s, but nothing is delivered until 6 s (a probe delay): the backlog grows to 410, then drains 100 per
    // sample down to its steady 10.
    const probing: RecoverySample[] = [];
    for (let atMs = 0; atMs <= 10_000; atMs += 100) {
      const produced = atMs / 10;
      let delivered = Math.max(0, produced - 10);
      if (atMs >= 2000 && atMs < 6000) delivered = 190;
      else if (atMs >= 6000)
        delivered = Math.min(produced - 10, 190 + ((atMs - 6000) / 100 + 1) * 100);
      probing.push({ atMs, produced, delivered, backlog: null });
    }
    const figures = analyseRecovery(probing, {
      beforeMs: 2000,
      upAtMs: 5000,
      firstDeliveryAtMs: 6000,
    });
    expect(figures.firstDeliveryMs).toBe(1000);
    expect(figures.peakGap).toBe(400);
    expect(figures.finalGap).toBe(10);
    // 400 at 5.9 s, then 310, 220, 130, 40, 10: within 5 % of 390 above 10 (≤ 29.5) at 6.4 s.
    expect(figures.drainedMs).toBe(1400);
  });

  it('reports no drain when nothing was delivered after the outage', () => {
    const figures = analyseRecovery(samples({ lost: 0 }), {
      beforeMs: 2000,
      upAtMs: 5000,
      firstDeliveryAtMs: null,
    });
    expect(figures.firstDeliveryMs).toBeNull();
    expect(figures.drainedMs).toBeNull();
  });

  it('keeps the largest backlog an agent reported', () => {
    const reported = samples({ lost: 0 }).map((sample, index) => ({
      ...sample,
      backlog: index % 7,
    }));
    expect(
      analyseRecovery(reported, { beforeMs: 2000, upAtMs: 5000, firstDeliveryAtMs: 5100 })
        .peakBacklog,
    ).toBe(6);
  });
});
