import { cpus } from 'node:os';
import { AGENTS, type AgentName, type ReceiverKind } from './agents/index.js';
import { type BackendState } from './backend-state.js';
import { planPinning } from './cpu-pinning.js';
import { type BenchOptions } from './options.js';
import { type ChildResult, type ChildTask } from './protocol.js';
import { type Receiver, startReceiver, waitForDeliveries } from './receivers.js';
import { runChild } from './run-child.js';
import { type Spread, spread } from './stats.js';

/** One measured child process: its own figures plus what the receiver counted. */
export interface RunRecord extends ChildResult {
  agent: AgentName;
  state: BackendState;
  run: number;
  delivered: number;
}

export interface CaseSummary {
  agent: AgentName;
  state: BackendState;
  unit: string;
  runs: number;
  requestsPerSecond: Spread;
  /** Median requests/s over the median of the no-agent run. */
  throughputRatio: number | null;
  produced: Spread;
  delivered: Spread;
  /** Median over runs of delivered / produced. */
  deliveredRatio: number | null;
  /** Median over runs of produced / (requests × items per traced request): how much of the traffic was traced. */
  tracedRatio: number | null;
  cpuSeconds: Spread;
  cpuMicrosPerRequest: Spread;
  maxRssMb: Spread;
  heapGrowthMb: Spread;
  eventLoopP99Ms: Spread;
  errors: number;
}

export interface SuiteResult {
  runs: RunRecord[];
  cases: CaseSummary[];
}

/** The cases to measure: the no-agent baseline has no backend, so it runs once per round, not per state. */
export function plannedCases(options: BenchOptions): { agent: AgentName; state: BackendState }[] {
  const cases: { agent: AgentName; state: BackendState }[] = [];
  for (const agent of options.agents) {
    if (AGENTS[agent].receiver === 'none') cases.push({ agent, state: 'up' });
    else for (const state of options.states) cases.push({ agent, state });
  }
  return cases;
}

export function taskFor(agent: AgentName, collector: string, options: BenchOptions): ChildTask {
  return {
    agent,
    app: options.app,
    collector,
    concurrency: options.concurrency,
    warmupMs: options.warmupMs,
    durationMs: options.durationMs,
    maxRequests: options.maxRequests,
    flushTimeoutMs: options.flushTimeoutMs,
    progressIntervalMs: 0,
    ...(options.pin ? { cpus: planPinning(cpus().length).child } : {}),
  };
}

/** Starts one receiver per kind; they live in this (the parent) process for the whole suite. */
export async function startReceivers(agents: readonly AgentName[]) {
  const receivers = new Map<ReceiverKind, Receiver>();
  for (const agent of agents) {
    const kind = AGENTS[agent].receiver;
    if (!receivers.has(kind)) receivers.set(kind, await startReceiver(kind));
  }
  return {
    for: (agent: AgentName) => receivers.get(AGENTS[agent].receiver)!,
    stop: async () => {
      for (const receiver of receivers.values()) await receiver.stop();
    },
  };
}

/**
 * Runs every case `options.runs` times, round-robin (run 1 of every case, then run 2, ...), so slow phases of a
 * shared machine spread over all configurations instead of landing on one.
 */
export async function runSuite(
  options: BenchOptions,
  log: (line: string) => void = () => {},
): Promise<SuiteResult> {
  const cases = plannedCases(options);
  const receivers = await startReceivers(options.agents);
  const runs: RunRecord[] = [];
  try {
    for (let run = 1; run <= options.runs; run += 1) {
      for (const { agent, state } of cases) {
        const receiver = receivers.for(agent);
        await receiver.setState('up');
        receiver.clear();
        await receiver.setState(state);
        const result = await runChild(taskFor(agent, receiver.address, options), undefined, () =>
          state === 'up' ? waitForDeliveries(receiver, options.flushTimeoutMs) : Promise.resolve(),
        );
        const delivered = receiver.delivered();
        await receiver.setState('up');
        runs.push({ ...result, agent, state, run, delivered });
        log(
          `run ${run}/${options.runs} ${agent}/${state}: ${result.requestsPerSecond.toFixed(0)} req/s, ` +
            `${delivered}/${result.produced} delivered`,
        );
      }
    }
  } finally {
    await receivers.stop();
  }
  return { runs, cases: summarize(runs, cases) };
}

export function summarize(
  runs: readonly RunRecord[],
  cases: readonly { agent: AgentName; state: BackendState }[],
): CaseSummary[] {
  const baseline = spread(runs.filter((r) => r.agent === 'none').map((r) => r.requestsPerSecond));
  return cases.map(({ agent, state }) => {
    const mine = runs.filter((r) => r.agent === agent && r.state === state);
    const of = (pick: (r: RunRecord) => number) => spread(mine.map(pick));
    const requestsPerSecond = of((r) => r.requestsPerSecond);
    const ratios = mine.filter((r) => r.produced > 0).map((r) => r.delivered / r.produced);
    const perRequest = AGENTS[agent].itemsPerRequest;
    const traced = mine.map(
      (r) => r.produced / Math.max(1, (r.warmupRequests + r.requests) * perRequest),
    );
    return {
      agent,
      state,
      unit: AGENTS[agent].unit,
      runs: mine.length,
      requestsPerSecond,
      throughputRatio: Number.isNaN(baseline.median)
        ? null
        : requestsPerSecond.median / baseline.median,
      produced: of((r) => r.produced),
      delivered: of((r) => r.delivered),
      deliveredRatio: ratios.length === 0 ? null : spread(ratios).median,
      tracedRatio: perRequest === 0 ? null : spread(traced).median,
      cpuSeconds: of((r) => r.cpuSeconds),
      cpuMicrosPerRequest: of((r) => (r.cpuSeconds * 1e6) / Math.max(1, r.requests)),
      maxRssMb: of((r) => r.maxRssMb),
      heapGrowthMb: of((r) => r.heapGrowthMb),
      eventLoopP99Ms: of((r) => r.eventLoopP99Ms),
      errors: mine.reduce((sum, r) => sum + r.errors, 0),
    };
  });
}
