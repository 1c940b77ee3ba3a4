// Runs one scenario of the matrix end to end and checks every guarantee of issue 10 from outside the app:
// start the collector(s), fork the app under load, run normally, inject the fault, heal it, watch delivery resume,
// drain, shut down, and compare the agent's accounting with what the collector acknowledged.
import { startCollector } from '@windsock/collector';
import type { AgentStatus } from 'windsock';
import {
  deliveryMismatches,
  droppedTotal,
  identityViolations,
  PIPELINES,
  sumCounts,
  type Counts,
} from './accounting.js';
import { AppProcess, describeExit } from './child.js';
import { effective, type Profile } from './profile.js';
import { acknowledgedCounts, type FaultContext, fillsQueue, type Scenario } from './scenarios.js';

export interface ScenarioResult {
  scenario: string;
  profile: string;
  stackSizeKb: number | undefined;
  /** How long each phase really ran, in ms. */
  phases: { warmMs: number; faultMs: number; afterMs: number };
  requests: number;
  requestsPerSecond: number;
  loadErrors: number;
  produced: number;
  delivered: number;
  dropped: Record<string, number>;
  acknowledged: Counts;
  /** The collector acknowledged exactly what the agent counts as delivered, in every pipeline. */
  exactDelivery: boolean;
  /** Items the collector(s) read in calls that did not end acknowledged (live collectors only). */
  collectorUnacknowledged: Counts;
  /** The agent's logger: lines reported, lines it recognised as the agent's own (not reported), values cut. */
  loggerStats: { produced: number; suppressed: number; truncated: number } | undefined;
  final: AgentStatus | undefined;
  maxHeapGrowthBytes: number;
  heapBoundBytes: number;
  maxRssBytes: number;
  loopP99Ms: number;
  loopMaxMs: number;
  /** From the fault's removal (or, for failover, from the fault) to the first newly acknowledged segment. */
  recoveryMs: number | undefined;
  recoveryBoundMs: number | undefined;
  shutdownMs: number | undefined;
  diagnosticLines: number;
  diagnosticSamples: string[];
  samples: number;
  /** The logs pipeline, sampled: seconds since start, delivered, overflow, queued, inFlight (for post-mortems). */
  trace?: number[][];
  /** Every guarantee that did not hold, in words; empty when the scenario passed. */
  problems: string[];
}

const SLACK_MS = 2_000;

export async function runScenario(scenario: Scenario, profile: Profile): Promise<ScenarioResult> {
  const problems: string[] = [];
  const reportTimeoutMs = effective(profile, 'reportTimeoutMs');
  const ctx: FaultContext = { collectors: [], retired: [], reportTimeoutMs };
  for (let i = 0; i < scenario.backends; i += 1) {
    ctx.collectors.push(await startCollector({ port: 0, retain: 100 }));
  }
  const acknowledged = (): Counts =>
    sumCounts([...ctx.retired, ...ctx.collectors.map(acknowledgedCounts)]);
  const collector =
    scenario.backends === 0 ? ['oap.invalid:11800'] : ctx.collectors.map((c) => c.address);
  if (scenario.faultFromStart) await scenario.fault(ctx);

  const identityProblems: string[] = [];
  const app = new AppProcess({
    task: {
      agent: {
        ...profile.agent,
        ...scenario.agent,
        serviceName: 'reliability',
        serviceInstance: scenario.name,
        collector,
      },
      diagnosticsToPino: scenario.diagnosticsToPino ?? false,
      logsPerRequest: scenario.logsPerRequest ?? 1,
      concurrency: profile.concurrency,
      sampleIntervalMs: profile.sampleIntervalMs,
    },
    nodeFlags: profile.stackSizeKb === undefined ? [] : [`--stack-size=${profile.stackSizeKb}`],
    onSample: (sample) => {
      if (identityProblems.length < 5) {
        for (const v of identityViolations(sample.status))
          identityProblems.push(`at ${Math.round(sample.atMs)} ms: ${v}`);
      }
    },
  });

  let collectorUnacknowledged: Counts;
  let maxHeapGrowthBytes = 0;
  let recoveryMs: number | undefined;
  let shutdownMs: number | undefined;
  let final: AgentStatus | undefined;
  let diagnosticLines = 0;
  let diagnosticSamples: string[] = [];
  let loggerStats: ScenarioResult['loggerStats'];
  const phases = { warmMs: 0, faultMs: 0, afterMs: 0 };
  let load = { requests: 0, loadErrors: 0, elapsedMs: 1, loopP99Ms: 0, loopMaxMs: 0, maxRss: 0 };
  const probeMaxDelayMs = effective(profile, 'probeMaxDelayMs');
  const recoveryBoundMs = scenario.heal === undefined ? undefined : probeMaxDelayMs + SLACK_MS;

  try {
    await app.ready;
    const baseline = await app.measureHeap();
    const heapGrowth = async (): Promise<void> => {
      const now = await app.measureHeap();
      maxHeapGrowthBytes = Math.max(maxHeapGrowthBytes, now.heapUsed - baseline.heapUsed);
    };

    let began = performance.now();
    await sleep(profile.warmMs);
    phases.warmMs = performance.now() - began;

    began = performance.now();
    if (!scenario.faultFromStart) await scenario.fault(ctx);
    const faultedAt = performance.now();
    let failoverAck: Promise<number> | undefined;
    if (scenario.failover) {
      const atFault = acknowledged().segments;
      failoverAck = firstNewAcknowledgement(
        () => acknowledged().segments - atFault,
        probeMaxDelayMs + 30_000,
      );
    }
    // The heap is measured (after a full GC) every 15 s of the outage and at its end, when the queues are as full
    // as the outage makes them.
    const faultEnds = performance.now() + profile.faultMs;
    while (performance.now() < faultEnds) {
      await sleep(Math.min(15_000, faultEnds - performance.now()));
      await heapGrowth();
    }
    // On a starved machine (CI runs every package's tests at once) the app may serve too few requests during
    // `faultMs` to fill the queue. The outage then goes on, up to 4 × faultMs in all, until the queue has
    // overflowed: what the scenario tests is the budget, so the budget must be reached.
    if (fillsQueue(scenario) && latestOverflow(app) === 0) {
      const longest = began + 4 * profile.faultMs;
      while (latestOverflow(app) === 0 && performance.now() < longest) await sleep(100);
      await heapGrowth(); // the queues are fuller now than at the planned end
    }
    phases.faultMs = performance.now() - began;

    if (scenario.heal !== undefined) {
      const before = acknowledged().segments;
      began = performance.now();
      await scenario.heal(ctx);
      const resumedAfter = await firstNewAcknowledgement(
        () => acknowledged().segments - before,
        probeMaxDelayMs + 30_000,
      );
      recoveryMs =
        scenario.failover && failoverAck !== undefined
          ? (await failoverAck) - faultedAt
          : resumedAfter - began;
      await sleep(profile.afterMs);
      phases.afterMs = performance.now() - began;
      if (recoveryMs > recoveryBoundMs!) {
        problems.push(
          `delivery resumed after ${Math.round(recoveryMs)} ms, bound ${recoveryBoundMs} ms`,
        );
      }
      load = await app.stopLoad();
      const flushed = await app.flush(profile.flushTimeoutMs);
      // Only what was queued at the call: meters keep being produced meanwhile.
      if (!flushed.done) {
        problems.push(`after recovery the queue did not drain: ${flushed.remaining} items remain`);
      }
      await heapGrowth();
    } else {
      load = await app.stopLoad();
    }

    const shutdown = await app.shutdown(profile.shutdownTimeoutMs);
    shutdownMs = shutdown.tookMs;
    final = shutdown.status;
    diagnosticLines = shutdown.diagnosticLines;
    diagnosticSamples = shutdown.diagnosticSamples;
    loggerStats = shutdown.loggerStats;
    if (shutdownMs > profile.shutdownTimeoutMs + 1_000) {
      problems.push(
        `shutdown took ${Math.round(shutdownMs)} ms for a ${profile.shutdownTimeoutMs} ms timeout`,
      );
    }
    if (final.state !== 'stopped' || queuedOrInFlight(final) > 0) {
      problems.push(
        `after shutdown: state ${final.state}, ${queuedOrInFlight(final)} items still queued or in flight`,
      );
    }
    if (scenario.diagnosticsToPino && shutdown.loggerStats.suppressed < 1 && diagnosticLines > 0) {
      problems.push(
        "the agent diagnostics written through pino were not recognised as the agent's own",
      );
    }
    const exit = await app.exitWithin(10_000);
    if (exit === undefined)
      problems.push('the app did not exit by itself after shutdown(): a handle was left open');
    else if (exit.code !== 0) problems.push(`the app exited with ${describeExit(exit)}`);
  } catch (error) {
    problems.push(`the run failed: ${String((error as Error)?.stack ?? error)}`);
  } finally {
    collectorUnacknowledged = sumCounts(ctx.collectors.map((c) => c.counts().unacknowledged));
    app.kill();
    for (const c of ctx.collectors) await c.stop();
  }

  for (const crash of app.crashes) problems.push(`${crash.kind}: ${crash.error}`);
  if (/unhandled|uncaught|RangeError|Maximum call stack/i.test(app.stderr)) {
    problems.push(`stderr shows a failure: ${app.stderr.slice(0, 2_000)}`);
  }
  problems.push(...identityProblems);
  const finalAcknowledged = acknowledged();
  if (final !== undefined) {
    problems.push(...identityViolations(final).map((v) => `at the end: ${v}`));
    problems.push(...deliveryMismatches(final, finalAcknowledged));
    if (scenario.failover)
      problems.push(...failoverLosses(final, effective(profile, 'maxBatchItems')));
  }
  const maxBufferBytes = scenario.agent?.maxBufferBytes ?? effective(profile, 'maxBufferBytes');
  const heapBoundBytes = 3 * maxBufferBytes + profile.heapConstantBytes;
  if (maxHeapGrowthBytes > heapBoundBytes) {
    problems.push(`heap grew ${mb(maxHeapGrowthBytes)} MiB, bound ${mb(heapBoundBytes)} MiB`);
  }
  if (load.loopP99Ms > profile.loopP99BoundMs) {
    problems.push(
      `event-loop p99 ${load.loopP99Ms.toFixed(1)} ms, bound ${profile.loopP99BoundMs} ms`,
    );
  }
  const maxRssBytes = Math.max(load.maxRss, ...app.samples.map((s) => s.rss));

  return {
    scenario: scenario.name,
    profile: profile.name,
    stackSizeKb: profile.stackSizeKb,
    phases,
    requests: load.requests,
    requestsPerSecond: load.requests / (load.elapsedMs / 1_000),
    loadErrors: load.loadErrors,
    produced: sumOver(final, (p) => p.produced),
    delivered: sumOver(final, (p) => p.delivered),
    dropped: droppedByReason(final),
    acknowledged: finalAcknowledged,
    exactDelivery:
      final !== undefined &&
      PIPELINES.every((n) => finalAcknowledged[n] === final.pipelines[n].delivered),
    collectorUnacknowledged,
    loggerStats,
    final,
    maxHeapGrowthBytes,
    heapBoundBytes,
    maxRssBytes,
    loopP99Ms: load.loopP99Ms,
    loopMaxMs: load.loopMaxMs,
    recoveryMs,
    recoveryBoundMs,
    shutdownMs,
    diagnosticLines,
    diagnosticSamples,
    samples: app.samples.length,
    ...(process.env.RELIABILITY_TRACE === '1'
      ? {
          trace: app.samples.map((s) => {
            const p = s.status.pipelines.logs;
            return [
              Math.round(s.atMs),
              p.delivered,
              p.dropped.overflow,
              p.queued,
              p.inFlight,
              p.dropped.unacknowledged,
            ];
          }),
        }
      : {}),
    problems,
  };
}

/**
 * With one of two backends down, only what was in flight on the failing connection may be lost: the batch in
 * flight, and at most one more written before the client saw the connection close (measured: see RELIABILITY.md).
 */
function failoverLosses(status: AgentStatus, maxBatchItems: number): string[] {
  const problems: string[] = [];
  for (const name of PIPELINES) {
    const p = status.pipelines[name];
    const lost = droppedTotal(p) - p.dropped.unacknowledged;
    if (lost > 0)
      problems.push(`${name}: ${lost} items dropped other than in flight while a backend was up`);
    if (p.dropped.unacknowledged > 2 * maxBatchItems) {
      problems.push(
        `${name}: ${p.dropped.unacknowledged} unacknowledged, more than two batches (${maxBatchItems} each)`,
      );
    }
  }
  return problems;
}

/** Polls (every 25 ms) until `progress()` is positive; resolves with the moment it was seen. */
async function firstNewAcknowledgement(progress: () => number, timeoutMs: number): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (progress() > 0) return performance.now();
    await sleep(25);
  }
  return Number.POSITIVE_INFINITY;
}

function queuedOrInFlight(status: AgentStatus): number {
  return PIPELINES.reduce(
    (sum, name) => sum + status.pipelines[name].queued + status.pipelines[name].inFlight,
    0,
  );
}

/** Items dropped as overflow so far, from the app's latest `status()` sample. */
function latestOverflow(app: AppProcess): number {
  const status = app.samples.at(-1)?.status;
  if (status === undefined) return 0;
  return PIPELINES.reduce((sum, name) => sum + status.pipelines[name].dropped.overflow, 0);
}

function sumOver(
  status: AgentStatus | undefined,
  pick: (p: AgentStatus['pipelines']['segments']) => number,
): number {
  if (status === undefined) return 0;
  return PIPELINES.reduce((sum, name) => sum + pick(status.pipelines[name]), 0);
}

function droppedByReason(status: AgentStatus | undefined): Record<string, number> {
  const total: Record<string, number> = {};
  if (status === undefined) return total;
  for (const name of PIPELINES) {
    for (const [reason, n] of Object.entries(status.pipelines[name].dropped))
      total[reason] = (total[reason] ?? 0) + n;
  }
  return total;
}

function mb(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(1);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
