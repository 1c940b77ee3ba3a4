// The fault matrix of issue 10 in its short form: every scenario for a few seconds, the app under
// --stack-size=256, small queues and probe delays so that every outage overflows at once. `pnpm soak` runs the same
// scenarios for minutes. Each test fails with the list of guarantees that did not hold (see run-scenario.ts).
import { describe, expect, test } from 'vitest';
import { SHORT_PROFILE } from '../src/profile.js';
import { runScenario, type ScenarioResult } from '../src/run-scenario.js';
import { fillsQueue, SCENARIOS, type Scenario } from '../src/scenarios.js';
import { formatDropped } from '../src/table.js';

function summary(r: ScenarioResult): string {
  return `${r.scenario}: ${r.requests} requests (${Math.round(r.requestsPerSecond)}/s), produced ${r.produced}, delivered ${r.delivered}, dropped ${formatDropped(r.dropped)}, heap +${(r.maxHeapGrowthBytes / 1048576).toFixed(1)} MiB, loop p99 ${r.loopP99Ms.toFixed(0)} ms, recovery ${r.recoveryMs === undefined ? '-' : `${Math.round(r.recoveryMs)} ms`}`;
}

function scenario(name: string): Scenario {
  const found = SCENARIOS.find((s) => s.name === name);
  if (found === undefined) throw new Error(`no scenario ${name}`);
  return found;
}

// Two at a time: each app saturates about one core of the two.
describe.concurrent('fault matrix (short profile, app under --stack-size=256)', () => {
  for (const s of SCENARIOS) {
    test(s.name, async () => {
      const result = await runScenario(s, SHORT_PROFILE);
      process.stdout.write(`${summary(result)}\n`);
      expect(result.problems, `${summary(result)}\n${result.problems.join('\n')}`).toEqual([]);
      expect(result.requests).toBeGreaterThan(0);
      expect(result.samples).toBeGreaterThan(5);
      expect(result.stackSizeKb).toBe(256);
      if (s.heal !== undefined) {
        // Recovery was observed as newly acknowledged segments, not assumed.
        expect(result.recoveryMs).toBeLessThanOrEqual(result.recoveryBoundMs!);
        expect(result.delivered).toBeGreaterThan(0);
      }
      if (s.failover) {
        expect(result.dropped.overflow).toBe(0);
        // Exact in a quiet run, but the refused backend drops its connections at once: an OK already written to a
        // socket that is then destroyed reached the collector's count and never the agent, which counts that batch
        // as unacknowledged (CI saw 101 segments so: acknowledged 6,328, delivered 6,227). The bound is the README's.
        const segments = result.final!.pipelines.segments;
        expect(result.acknowledged.segments).toBeGreaterThanOrEqual(segments.delivered);
        expect(result.acknowledged.segments).toBeLessThanOrEqual(
          segments.delivered + segments.dropped.unacknowledged,
        );
      } else if (fillsQueue(s)) {
        // Every outage outlasted the small queue: the budget, not luck, bounded the memory.
        expect(result.dropped.overflow).toBeGreaterThan(0);
      }
    });
  }
});

test('the stack-overflow scenario: diagnostics through the reported pino logger are written, never reported', async () => {
  const result = await runScenario(scenario('stack-overflow'), SHORT_PROFILE);
  expect(result.problems).toEqual([]);
  // Something was said (breaker opened, queues full), a bounded number of times, not once per dropped line.
  expect(result.diagnosticLines).toBeGreaterThan(0);
  expect(result.diagnosticLines).toBeLessThanOrEqual(10);
  expect(result.diagnosticSamples.join('\n')).toMatch(/queue is full/);
  // Each such line went through pino, which the agent instruments, and was recognised as the agent's own.
  expect(result.loggerStats!.suppressed).toBe(result.diagnosticLines);
  expect(result.final!.pipelines.logs.produced).toBe(result.loggerStats!.produced);
  expect(result.dropped.overflow).toBeGreaterThan(result.diagnosticLines * 1_000);
});
