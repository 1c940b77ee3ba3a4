import { type AgentName, isAgentName } from './agents/index.js';
import { type BackendState, isBackendState } from './backend-state.js';

export interface BenchOptions {
  profile: 'quick' | 'full';
  /** The measured app: plain `http` handlers, or the same two endpoints as Express routes. */
  app: 'http' | 'express';
  agents: AgentName[];
  states: BackendState[];
  runs: number;
  concurrency: number;
  warmupMs: number;
  durationMs: number;
  /** Safety bound of the load loop, whatever the duration. */
  maxRequests: number;
  flushTimeoutMs: number;
  recovery: {
    enabled: boolean;
    /** Load with the backend up before the outage, to learn the normal backlog. */
    beforeMs: number;
    outageMs: number;
    /** Load after the backend is back, during which the backlog must drain. */
    afterMs: number;
  };
  /** Agents to CPU-profile after the suite; `auto`: windsock, when one of its targets is missed. */
  cpuProfile: 'auto' | AgentName[];
  /** windsock's queue budgets (3 pipelines × 8 MB by default), for the memory target during an outage. */
  windsockQueueBudgetMb: number;
  /** The measured child on CPU 0 and the receivers on the other CPUs (see cpu-pinning.ts). */
  pin: boolean;
  outDir: string;
}

const PROFILES: Record<
  BenchOptions['profile'],
  Omit<BenchOptions, 'app' | 'agents' | 'states' | 'outDir' | 'cpuProfile' | 'pin'>
> = {
  quick: {
    profile: 'quick',
    runs: 3,
    concurrency: 16,
    warmupMs: 300,
    durationMs: 1000,
    maxRequests: 1_000_000,
    flushTimeoutMs: 1000,
    recovery: { enabled: true, beforeMs: 1000, outageMs: 5000, afterMs: 5000 },
    windsockQueueBudgetMb: 24,
  },
  full: {
    profile: 'full',
    runs: 5,
    concurrency: 16,
    warmupMs: 2000,
    durationMs: 10_000,
    maxRequests: 10_000_000,
    flushTimeoutMs: 10_000,
    recovery: { enabled: true, beforeMs: 5000, outageMs: 30_000, afterMs: 30_000 },
    windsockQueueBudgetMb: 24,
  },
};

const FLAGS = [
  'profile',
  'app',
  'agents',
  'states',
  'runs',
  'concurrency',
  'warmup-ms',
  'duration-ms',
  'max-requests',
  'flush-timeout-ms',
  'recovery',
  'recovery-before-ms',
  'recovery-outage-ms',
  'recovery-after-ms',
  'windsock-queue-budget-mb',
  'cpu-profile',
  'pin',
  'out-dir',
] as const;
type Flag = (typeof FLAGS)[number];

export const USAGE = `Usage: pnpm bench:e2e [--flag=value ...]  (each flag also reads BENCH_<FLAG> from the environment)
  --profile=quick|full          preset durations (default quick: about 3 minutes; full: about 20)
  --app=http|express            the measured app: plain http handlers (default) or the same endpoints as Express routes
  --agents=none,floor,floor-segments,windsock,windsock-http,windsock-unsampled,skywalking,opentelemetry
  --states=up,refused,blackhole
  --runs=N  --concurrency=N  --warmup-ms=N  --duration-ms=N  --max-requests=N  --flush-timeout-ms=N
  --recovery=on|off  --recovery-before-ms=N  --recovery-outage-ms=N  --recovery-after-ms=N
  --windsock-queue-budget-mb=N  --out-dir=PATH
  --cpu-profile=auto|none|AGENTS  profile one more run of these agents (auto: windsock when a target is missed)
  --pin=on|off                  on: the measured process on CPU 0, the receivers on the others (Linux, taskset)`;

/** Reads `--flag=value` arguments, falling back to `BENCH_FLAG` environment variables, then to the profile. */
export function parseOptions(
  argv: readonly string[],
  env: Record<string, string | undefined>,
  defaultOutDir: string,
): BenchOptions {
  const given = new Map<Flag, string>();
  for (const flag of FLAGS) {
    const value = env[`BENCH_${flag.toUpperCase().replaceAll('-', '_')}`];
    if (value !== undefined && value !== '') given.set(flag, value);
  }
  for (const argument of argv) {
    // `pnpm bench:e2e -- --runs=3` hands the separator on.
    if (argument === '--') continue;
    const match = /^--([a-z-]+)=(.*)$/.exec(argument);
    const flag = match?.[1] as Flag | undefined;
    if (match === null || flag === undefined || !FLAGS.includes(flag)) {
      throw new Error(`unknown argument ${argument}\n${USAGE}`);
    }
    given.set(flag, match[2]!);
  }

  const profileName = given.get('profile') ?? 'quick';
  if (profileName !== 'quick' && profileName !== 'full') {
    throw new Error(`--profile must be quick or full, not ${profileName}`);
  }
  const profile = PROFILES[profileName];
  const number = (flag: Flag, fallback: number, min: number) => {
    const raw = given.get(flag);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < min)
      throw new Error(`--${flag} must be a number ≥ ${min}`);
    return value;
  };
  const list = <T extends string>(flag: Flag, fallback: T[], valid: (value: string) => boolean) => {
    const raw = given.get(flag);
    if (raw === undefined) return fallback;
    const values = raw.split(',').map((value) => value.trim());
    for (const value of values) if (!valid(value)) throw new Error(`--${flag}: unknown ${value}`);
    return values as T[];
  };
  const recovery = given.get('recovery') ?? 'on';
  if (recovery !== 'on' && recovery !== 'off') throw new Error('--recovery must be on or off');
  const pin = given.get('pin') ?? 'off';
  if (pin !== 'on' && pin !== 'off') throw new Error('--pin must be on or off');
  const app = given.get('app') ?? 'http';
  if (app !== 'http' && app !== 'express') throw new Error('--app must be http or express');

  return {
    ...profile,
    app,
    agents: list<AgentName>(
      'agents',
      ['none', 'windsock', 'skywalking', 'opentelemetry'],
      isAgentName,
    ),
    states: list<BackendState>('states', ['up', 'refused', 'blackhole'], isBackendState),
    runs: number('runs', profile.runs, 1),
    concurrency: number('concurrency', profile.concurrency, 1),
    warmupMs: number('warmup-ms', profile.warmupMs, 0),
    durationMs: number('duration-ms', profile.durationMs, 100),
    maxRequests: number('max-requests', profile.maxRequests, 1),
    flushTimeoutMs: number('flush-timeout-ms', profile.flushTimeoutMs, 0),
    recovery: {
      enabled: recovery === 'on',
      beforeMs: number('recovery-before-ms', profile.recovery.beforeMs, 0),
      outageMs: number('recovery-outage-ms', profile.recovery.outageMs, 0),
      afterMs: number('recovery-after-ms', profile.recovery.afterMs, 500),
    },
    windsockQueueBudgetMb: number('windsock-queue-budget-mb', profile.windsockQueueBudgetMb, 0),
    cpuProfile:
      (given.get('cpu-profile') ?? 'auto') === 'auto'
        ? 'auto'
        : given.get('cpu-profile') === 'none'
          ? []
          : list<AgentName>('cpu-profile', [], isAgentName),
    pin: pin === 'on',
    outDir: given.get('out-dir') ?? defaultOutDir,
  };
}
