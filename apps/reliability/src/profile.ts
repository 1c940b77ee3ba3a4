// How long and how hard a scenario runs. The short profile is the matrix inside `pnpm test` (seconds per
// scenario, small queues and probe delays so an outage overflows at once); the soak profile keeps the agent's
// documented defaults and runs each outage for minutes.
import type { AgentOptions } from 'windsock';

export interface Profile {
  name: string;
  /** Normal running before the fault (scenarios whose fault is there from the start run it under the fault). */
  warmMs: number;
  /** How long the fault lasts. */
  faultMs: number;
  /** Normal running after delivery resumed, before the load stops. */
  afterMs: number;
  sampleIntervalMs: number;
  /** Workers of the closed load loop. */
  concurrency: number;
  agent: Omit<AgentOptions, 'diagnostics'>;
  /** What the heap may grow beyond 3 × maxBufferBytes: grpc-js, JIT, pino and http state. */
  heapConstantBytes: number;
  /** A generous bound on the app's p99 event-loop delay (2 shared cores, collector in the parent). */
  loopP99BoundMs: number;
  flushTimeoutMs: number;
  shutdownTimeoutMs: number;
  /** `node --stack-size` of the app, in KiB (undefined: the default, about 984). */
  stackSizeKb: number | undefined;
}

const MB = 1024 * 1024;

export const SHORT_PROFILE: Profile = {
  name: 'short',
  warmMs: 1_500,
  faultMs: 3_000,
  afterMs: 1_000,
  sampleIntervalMs: 200,
  concurrency: 16,
  agent: {
    maxBufferSize: 2_000,
    maxBufferBytes: 256 * 1024,
    maxBatchItems: 200,
    lingerMs: 100,
    reportTimeoutMs: 1_000,
    breakerThreshold: 3,
    probeMinDelayMs: 200,
    probeMaxDelayMs: 1_000,
    retryMaxAttempts: 2,
    retryInitialDelayMs: 50,
    retryMaxDelayMs: 500,
    meterIntervalMs: 1_000,
    heartbeatIntervalMs: 1_000,
    cdsIntervalMs: 0,
    loggingLevel: 'info',
  },
  heapConstantBytes: 16 * MB,
  loopP99BoundMs: 1_000,
  flushTimeoutMs: 10_000,
  shutdownTimeoutMs: 2_000,
  stackSizeKb: 256,
};

/** The soak: the agent's defaults (8 MiB budgets, probes up to 10 s), outages of `faultMinutes`. */
export function soakProfile(faultMinutes: number, warmSeconds = 20): Profile {
  return {
    name: `soak-${faultMinutes}m`,
    warmMs: warmSeconds * 1_000,
    faultMs: Math.round(faultMinutes * 60_000),
    afterMs: 10_000,
    sampleIntervalMs: 1_000,
    concurrency: 16,
    agent: { meterIntervalMs: 5_000, loggingLevel: 'info', cdsIntervalMs: 0 },
    heapConstantBytes: 16 * MB,
    loopP99BoundMs: 1_000,
    flushTimeoutMs: 30_000,
    shutdownTimeoutMs: 5_000,
    stackSizeKb: 256,
  };
}

/** Defaults of the facade the profiles lean on (see packages/windsock/README.md). */
export const FACADE_DEFAULTS = {
  maxBufferBytes: 8 * MB,
  probeMaxDelayMs: 10_000,
  reportTimeoutMs: 10_000,
  maxBatchItems: 500,
};

export function effective<K extends keyof typeof FACADE_DEFAULTS>(
  profile: Profile,
  key: K,
): number {
  return profile.agent[key] ?? FACADE_DEFAULTS[key];
}
