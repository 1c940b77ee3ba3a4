// The fault matrix of issue 10: each scenario says what goes wrong with the backend, when, and how it heals.
// The runner does the rest the same way for all of them.
import { fault, startCollector, type Collector } from '@windsock/collector';
import type { AgentOptions } from 'windsock';
import type { Counts } from './accounting.js';

// gRPC status codes (numbers, as the wire carries them).
const INTERNAL = 13;
const UNAVAILABLE = 14;
const RESOURCE_EXHAUSTED = 8;
const UNAUTHENTICATED = 16;

/** What a scenario's fault and heal steps act on. */
export interface FaultContext {
  /** The live collectors, in the agent's configuration order. */
  collectors: Collector[];
  /** Acknowledged counts of collectors that were stopped (a restarted backend starts from zero). */
  retired: Counts[];
  /** The agent's report timeout in this run. */
  reportTimeoutMs: number;
}

export interface Scenario {
  name: string;
  /** One line for the table and RELIABILITY.md. */
  title: string;
  /** Collectors to start (0: the agent points at an unresolvable name). */
  backends: number;
  /** The fault is in force before the app starts (refused from the start). */
  faultFromStart?: boolean;
  fault(ctx: FaultContext): Promise<void>;
  /** Removes the fault. Absent: the outage lasts until the app shuts down (measures shutdown under outage). */
  heal?(ctx: FaultContext): Promise<void>;
  /** pino lines per request; the stack-overflow scenario floods. */
  logsPerRequest?: number;
  /** The agent's diagnostics go through the app's pino logger, which the agent reports (apache/skywalking#11832). */
  diagnosticsToPino?: boolean;
  /** Two backends, the first fails: delivery must continue through the second, dropping only what was in flight. */
  failover?: boolean;
  /** Agent options of this scenario over the profile's. */
  agent?: Omit<AgentOptions, 'diagnostics'>;
  /**
   * false: the fault does not stop delivery for long (a reset drops the calls in flight; failover keeps
   * delivering), so the queue is not expected to fill. Every other outage must outlast the queue.
   */
  fillsQueue?: false;
}

/** Whether the outage must overflow the queue: then the memory budget, not the outage's brevity, is tested. */
export function fillsQueue(scenario: Scenario): boolean {
  return scenario.fillsQueue !== false;
}

const up = async (ctx: FaultContext): Promise<void> => {
  for (const collector of ctx.collectors) await collector.setFault(fault.up());
};

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'refused-from-start',
    title: 'backend refuses connections from the start, then comes up',
    backends: 1,
    faultFromStart: true,
    fault: (ctx) => ctx.collectors[0]!.setFault(fault.refuse()),
    heal: up,
  },
  {
    name: 'refused-after-running',
    title: 'backend stops listening after running normally, then comes back',
    backends: 1,
    fault: (ctx) => ctx.collectors[0]!.setFault(fault.refuse()),
    heal: up,
  },
  {
    name: 'blackhole',
    title: 'backend accepts connections and never answers',
    backends: 1,
    fault: (ctx) => ctx.collectors[0]!.setFault(fault.blackhole()),
    heal: up,
  },
  {
    name: 'slow',
    title: 'every answer delayed beyond the report deadline',
    backends: 1,
    fault: (ctx) => ctx.collectors[0]!.setFault(fault.delay(ctx.reportTimeoutMs + 1_000)),
    heal: up,
  },
  {
    name: 'unavailable',
    title: 'every call fails with UNAVAILABLE',
    backends: 1,
    fault: (ctx) => ctx.collectors[0]!.setFault(fault.fail(UNAVAILABLE)),
    heal: up,
  },
  {
    name: 'exhausted-pushback',
    title: 'RESOURCE_EXHAUSTED with grpc-retry-pushback-ms 1000',
    backends: 1,
    fault: (ctx) =>
      ctx.collectors[0]!.setFault(fault.fail(RESOURCE_EXHAUSTED, { pushbackMs: 1_000 })),
    heal: up,
  },
  {
    name: 'exhausted',
    title: 'RESOURCE_EXHAUSTED without pushback',
    backends: 1,
    fault: (ctx) => ctx.collectors[0]!.setFault(fault.fail(RESOURCE_EXHAUSTED)),
    heal: up,
  },
  {
    name: 'internal',
    title: 'every call fails with INTERNAL',
    backends: 1,
    fault: (ctx) => ctx.collectors[0]!.setFault(fault.fail(INTERNAL)),
    heal: up,
  },
  {
    name: 'unauthenticated',
    title: 'every call fails with UNAUTHENTICATED (a token the agent does not have)',
    backends: 1,
    fault: (ctx) => ctx.collectors[0]!.setFault(fault.fail(UNAUTHENTICATED)),
    heal: up,
  },
  {
    name: 'flapping',
    title: 'backend alternates refusing and listening every 2 s',
    backends: 1,
    fault: (ctx) => ctx.collectors[0]!.setFault(fault.flap(2_000)),
    heal: up,
  },
  {
    name: 'reset',
    title: 'connection reset mid-stream (after 20 messages of a call)',
    backends: 1,
    fillsQueue: false,
    fault: (ctx) => ctx.collectors[0]!.setFault(fault.reset(20)),
    heal: up,
  },
  {
    name: 'restarted',
    title: 'backend process stopped, then a new one started on the same port',
    backends: 1,
    fault: async (ctx) => {
      const old = ctx.collectors[0]!;
      await old.stop();
      ctx.retired.push(acknowledgedCounts(old));
      old.clear(); // counted once, in `retired`
    },
    heal: async (ctx) => {
      ctx.collectors[0] = await startCollector({ port: ctx.collectors[0]!.port, retain: 100 });
    },
  },
  {
    name: 'two-backends-one-down',
    title: 'two backends, the first stops listening; failover to the second',
    backends: 2,
    failover: true,
    fillsQueue: false,
    fault: (ctx) => ctx.collectors[0]!.setFault(fault.refuse()),
    heal: up,
  },
  {
    name: 'unresolvable',
    title: 'backend host name never resolves (oap.invalid:11800)',
    backends: 0,
    faultFromStart: true,
    fault: () => Promise.resolve(),
  },
  {
    name: 'shutdown-in-outage',
    title: 'shutdown() while the backend is a blackhole',
    backends: 1,
    fault: (ctx) => ctx.collectors[0]!.setFault(fault.blackhole()),
  },
  {
    name: 'stack-overflow',
    title:
      'apache/skywalking#11832: backend refused, log flood, agent diagnostics through the reported pino logger',
    backends: 1,
    faultFromStart: true,
    logsPerRequest: 20,
    diagnosticsToPino: true,
    fault: (ctx) => ctx.collectors[0]!.setFault(fault.refuse()),
  },
];

export function acknowledgedCounts(collector: Collector): Counts {
  const { segments, logs, meters } = collector.counts();
  return { segments, logs, meters };
}
