import { describe, expect, it } from 'vitest';
import { runFixture } from './run-fixture.js';

describe('no leaks (child process with --expose-gc and a small --stack-size)', () => {
  it('100,000 executions, timed-out ones and failing probes included, leave heap and listeners flat', async () => {
    const result = await runFixture('leak-check.ts', ['--expose-gc', '--stack-size=300']);
    expect(result.executions).toBe(100_000);
    // Every kind of call really ran: 15 % of data calls fail (hung, thrown, resolved failure), all probes fail.
    expect(result.dataFailures).toBeGreaterThan(30_000);
    expect(result.probeFailures).toBeGreaterThan(20_000);
    expect(result.probes).toBe(result.probeFailures);
    // Listeners: none left on a caller signal shared by every call; only the one state listener subscribed.
    expect(result.callerSignalListeners).toBe(0);
    expect(result.stateListeners).toBe(1);
    // Heap: flat within 1 MiB (10 bytes per execution) after 100,000 calls...
    expect(Math.abs(result.growth as number)).toBeLessThan(1_048_576);
    // ...while keeping the outcomes of the same 100,000 calls is seen as growth well beyond that bound.
    expect(result.controlGrowth as number).toBeGreaterThan(10 * 1_048_576);
  });
});
