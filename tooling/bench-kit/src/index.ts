// A deliberately small harness: time in rounds (median ns/op, so one noisy round cannot skew it) and allocation
// measured as the median heap growth over short chunks (a chunk in which a scavenge ran shows a drop and is
// discarded by the median). Run with `node --import tsx` so results come from the same V8 a user runs.
import { getHeapStatistics } from 'node:v8';

export interface BenchOptions {
  /** Operations per timed round. */
  iterations?: number;
  /** Timed rounds; the median is reported. */
  rounds?: number;
  /** Operations run before timing, to let the JIT settle. */
  warmup?: number;
  /**
   * How many operations one call of `fn` performs (it loops itself). Results are per operation: this takes the
   * harness's own call out of the figure for operations that cost only a few nanoseconds.
   */
  opsPerCall?: number;
}

export interface BenchResult {
  name: string;
  nsPerOp: number;
  opsPerSec: number;
  bytesPerOp: number;
}

const ALLOC_CHUNK = 512;
const ALLOC_SAMPLES = 41;

/** The middle value (the upper one of an even count); 0 for none. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

/** One result from several runs of the same benchmark: the median of each figure, so one noisy run cannot skew it. */
export function medianResult(name: string, results: readonly BenchResult[]): BenchResult {
  const nsPerOp = median(results.map((r) => r.nsPerOp));
  return {
    name,
    nsPerOp,
    opsPerSec: nsPerOp > 0 ? 1e9 / nsPerOp : 0,
    bytesPerOp: median(results.map((r) => r.bytesPerOp)),
  };
}

function heapUsed(): number {
  return getHeapStatistics().used_heap_size;
}

/** Measures a synchronous operation. `fn` receives the iteration index so it can vary its input cheaply. */
export function bench(
  name: string,
  fn: (i: number) => unknown,
  options: BenchOptions = {},
): BenchResult {
  const { iterations = 100_000, rounds = 7, warmup = 20_000, opsPerCall = 1 } = options;
  let sink: unknown;
  for (let i = 0; i < warmup; i++) sink = fn(i);
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) sink = fn(i);
    times.push(Number(process.hrtime.bigint() - start) / iterations);
  }
  const allocs: number[] = [];
  for (let s = 0; s < ALLOC_SAMPLES; s++) {
    const before = heapUsed();
    for (let i = 0; i < ALLOC_CHUNK; i++) sink = fn(i);
    allocs.push((heapUsed() - before) / ALLOC_CHUNK);
  }
  keep(sink);
  return result(name, median(times) / opsPerCall, Math.max(0, median(allocs)) / opsPerCall);
}

/** Measures an asynchronous operation, awaited one at a time. */
export async function benchAsync(
  name: string,
  fn: (i: number) => Promise<unknown>,
  options: BenchOptions = {},
): Promise<BenchResult> {
  const { iterations = 20_000, rounds = 7, warmup = 5_000, opsPerCall = 1 } = options;
  let sink: unknown;
  for (let i = 0; i < warmup; i++) sink = await fn(i);
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) sink = await fn(i);
    times.push(Number(process.hrtime.bigint() - start) / iterations);
  }
  const allocs: number[] = [];
  for (let s = 0; s < ALLOC_SAMPLES; s++) {
    const before = heapUsed();
    for (let i = 0; i < ALLOC_CHUNK; i++) sink = await fn(i);
    allocs.push((heapUsed() - before) / ALLOC_CHUNK);
  }
  keep(sink);
  return result(name, median(times) / opsPerCall, Math.max(0, median(allocs)) / opsPerCall);
}

let kept: unknown;
/** Stops V8 from proving a benchmarked result unused and deleting the work. */
function keep(value: unknown): void {
  kept = value;
}
export function lastKept(): unknown {
  return kept;
}

function result(name: string, nsPerOp: number, bytesPerOp: number): BenchResult {
  return { name, nsPerOp, opsPerSec: 1e9 / nsPerOp, bytesPerOp };
}

/** Prints results as a markdown table (the form the package READMEs quote). */
export function printTable(title: string, results: BenchResult[]): void {
  const lines = [
    `### ${title}`,
    '',
    '| benchmark | ns/op | ops/s | bytes/op |',
    '|---|---:|---:|---:|',
    ...results.map(
      (r) =>
        `| ${r.name} | ${formatNumber(r.nsPerOp)} | ${Math.round(r.opsPerSec).toLocaleString('en-US')} | ${Math.round(r.bytesPerOp)} |`,
    ),
    '',
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

function formatNumber(n: number): string {
  return n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(1);
}
