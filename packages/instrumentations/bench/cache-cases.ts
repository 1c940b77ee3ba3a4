// The four cache workloads the ioredis and node-redis benches share, each command inside a request's entry span,
// measured as wall time (bench-kit) and as this process's CPU per command; and the report of plain against
// instrumented clients.
import {
  type BenchResult,
  benchAsync,
  median,
  medianResult,
  printTable,
} from '@windsock/bench-kit';
import { type Tracer } from '@windsock/core';

export const CACHE_CASES = {
  single: { label: '(a) GET awaited', per: 1, iterations: 2_000, warmup: 500 },
  concurrent: { label: '(b) 20 GETs together', per: 20, iterations: 300, warmup: 100 },
  pipeline: { label: '(c) pipeline of 20 GETs', per: 20, iterations: 300, warmup: 100 },
  multi: { label: '(d) MULTI of 10 SETs', per: 10, iterations: 500, warmup: 100 },
} as const;
export type CacheCase = keyof typeof CACHE_CASES;
export const CASE_NAMES = Object.keys(CACHE_CASES) as CacheCase[];

/** What each client library does for the workloads: its own API for a pipeline and a transaction. */
export interface CacheCommands {
  get(key: string): Promise<unknown>;
  pipelineGets(keys: readonly string[]): Promise<unknown>;
  multiSets(keys: readonly string[]): Promise<unknown>;
}

export interface Measured {
  wall: BenchResult;
  /** This process's CPU time per command, in nanoseconds. */
  cpuNs: number;
}

export async function measureCase(
  tracer: Tracer,
  name: string,
  commands: CacheCommands,
  which: CacheCase,
): Promise<Measured> {
  const { label, per, iterations, warmup } = CACHE_CASES[which];
  const keys = Array.from({ length: per }, (_, i) => `bench:key:${i}`);
  const work = {
    single: () => commands.get('bench:key:0'),
    concurrent: () => Promise.all(keys.map((k) => commands.get(k))),
    pipeline: () => commands.pipelineGets(keys),
    multi: () => commands.multiSets(keys),
  }[which];
  // Inside a request's entry span, as an HTTP handler would run it.
  const op = async () => {
    const request = tracer.startEntrySpan('GET:/cache');
    await tracer.withSpan(request, work);
    request.end();
  };
  const wall = await benchAsync(`${name}: ${label}`, op, {
    iterations,
    rounds: 5,
    warmup,
    opsPerCall: per,
  });
  const before = process.cpuUsage();
  for (let i = 0; i < iterations; i++) await op();
  const used = process.cpuUsage(before);
  return { wall, cpuNs: ((used.user + used.system) * 1000) / (iterations * per) };
}

/** Trials of each case: plain client, instrumented client, and (node-redis 5) an empty channel subscriber. */
export type CaseTrials = Record<
  CacheCase,
  { plain: Measured[]; instrumented: Measured[]; emptySubscriber: Measured[] }
>;

export function emptyTrials(): CaseTrials {
  const trials = {} as CaseTrials;
  for (const which of CASE_NAMES)
    trials[which] = { plain: [], instrumented: [], emptySubscriber: [] };
  return trials;
}

/** Prints the medians of the trials and, per case, what the instrumentation added. */
export function reportTrials(title: string, trials: CaseTrials, count: number): void {
  const rows: BenchResult[] = [];
  const lines: string[] = [];
  for (const which of CASE_NAMES) {
    const { label } = CACHE_CASES[which];
    const { plain: pr, instrumented: ir, emptySubscriber: er } = trials[which];
    const p = medianResult(
      `plain: ${label}`,
      pr.map((r) => r.wall),
    );
    const i = medianResult(
      `instrumented: ${label}`,
      ir.map((r) => r.wall),
    );
    rows.push(p, i);
    const pc = median(pr.map((r) => r.cpuNs));
    const ic = median(ir.map((r) => r.cpuNs));
    const emptyCpu =
      er.length > 0
        ? `; CPU with an empty subscriber ${Math.round(median(er.map((r) => r.cpuNs)))} ns/command`
        : '';
    const extra = i.nsPerOp - p.nsPerOp;
    lines.push(
      `${label}: wall ${extra >= 0 ? '+' : ''}${Math.round(extra)} ns/command (x${(i.nsPerOp / p.nsPerOp).toFixed(2)}), ` +
        `${Math.round(i.bytesPerOp - p.bytesPerOp)} bytes/command; CPU ${Math.round(pc)} -> ${Math.round(ic)} ns/command ` +
        `(+${Math.round(ic - pc)}, x${(ic / pc).toFixed(2)})${emptyCpu}`,
    );
  }
  printTable(`${title}, per command (median of ${count} trials)`, rows);
  process.stdout.write(`${lines.join('\n')}\n\n`);
}
