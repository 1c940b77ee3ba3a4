import { describe, expect, it } from 'vitest';
import { runFixture } from './run-fixture.js';

describe('README example (examples/report-loop.ts)', () => {
  it('idles on the open breaker, probes, and delivers once the backend is back', async () => {
    const summary = await runFixture('report-loop.ts', [], 'examples');
    expect(summary.state).toBe('closed');
    expect(summary.probes).toBe((summary.probeFailures as number) + 1);
    expect(summary.rejections).toBeGreaterThan(0);
  });
});
