// Shared by bench/pg.ts and bench/mysql2.ts: per-call overhead of a database instrumentation against a real server,
// and the cost of the span work alone. Database calls take tens of microseconds of network and server time, and the
// machine may be shared, so plain and instrumented calls are interleaved in short blocks (the instrumentation is
// enabled and undone between blocks, outside the timing) and each block is timed for wall and this process's CPU
// time; medians over the blocks are reported. Heap growth per call is the median over the blocks as well (a block in
// which a scavenge ran shows a drop and is discarded by the median).
import { getHeapStatistics } from 'node:v8';
import { type BenchResult, bench, median, printTable } from '@windsock/bench-kit';
import { spanCallback } from '../src/sql/caller-context.js';
import { endDbSpan, startDbSpan } from '../src/sql/db-span.js';
import { benchTracing } from './harness.js';

export const BLOCKS = Number(process.env.BENCH_BLOCKS ?? 60);
export const BLOCK_CALLS = Number(process.env.BENCH_BLOCK_CALLS ?? 200);

export const { tracer, context, segmentsReported } = benchTracing();

interface Sample {
  wall: number;
  cpu: number;
  bytes: number;
}

/** One call inside a request's entry span: the same span work with and without the instrumentation. */
function inRequest(fn: () => Promise<unknown>): Promise<unknown> {
  const request = tracer.startEntrySpan('GET:/bench');
  return tracer.withSpan(request, fn).finally(() => request.end());
}

async function block(fn: () => Promise<unknown>): Promise<Sample> {
  const heap = getHeapStatistics().used_heap_size;
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  for (let i = 0; i < BLOCK_CALLS; i++) await inRequest(fn);
  const wall = Number(process.hrtime.bigint() - start) / BLOCK_CALLS;
  const used = process.cpuUsage(cpu);
  const bytes = (getHeapStatistics().used_heap_size - heap) / BLOCK_CALLS;
  return { wall, cpu: ((used.user + used.system) * 1000) / BLOCK_CALLS, bytes };
}

/**
 * Runs each case plain and instrumented in alternating blocks and prints ns/op (wall and CPU) and bytes/op with
 * the instrumented/plain ratios. `enable` returns the undo.
 */
export async function compareCases(
  title: string,
  cases: Record<string, () => Promise<unknown>>,
  enable: () => () => void,
): Promise<void> {
  const samples = new Map<string, { plain: Sample[]; instrumented: Sample[] }>();
  for (const name of Object.keys(cases)) samples.set(name, { plain: [], instrumented: [] });
  // Warm-up in both modes.
  for (const fn of Object.values(cases)) {
    await block(fn);
    const undo = enable();
    await block(fn);
    undo();
  }
  for (let b = 0; b < BLOCKS; b++) {
    for (const [name, fn] of Object.entries(cases)) {
      const entry = samples.get(name)!;
      // Alternate which mode goes first, so neither always follows the other.
      const order =
        b % 2 === 0 ? (['plain', 'instrumented'] as const) : (['instrumented', 'plain'] as const);
      for (const mode of order) {
        const undo = mode === 'instrumented' ? enable() : undefined;
        entry[mode].push(await block(fn));
        undo?.();
      }
    }
  }
  const lines = [
    `### ${title} (medians of ${BLOCKS} blocks of ${BLOCK_CALLS} calls, modes interleaved)`,
    '',
    '| call | plain wall ns/op | instrumented wall ns/op | plain CPU ns/op | instrumented CPU ns/op | CPU added ns/op | CPU ratio | bytes/op added |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const [name, { plain, instrumented }] of samples) {
    const p = {
      wall: median(plain.map((s) => s.wall)),
      cpu: median(plain.map((s) => s.cpu)),
      bytes: median(plain.map((s) => s.bytes)),
    };
    const i = {
      wall: median(instrumented.map((s) => s.wall)),
      cpu: median(instrumented.map((s) => s.cpu)),
      bytes: median(instrumented.map((s) => s.bytes)),
    };
    lines.push(
      `| ${name} | ${fmt(p.wall)} | ${fmt(i.wall)} | ${fmt(p.cpu)} | ${fmt(i.cpu)} | ${fmt(i.cpu - p.cpu)} | x${(i.cpu / p.cpu).toFixed(2)} | ${fmt(i.bytes - p.bytes)} |`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n\n`);
}

/**
 * The span work a hooked call adds, without the driver or the network: an exit span with its `db.*` tags, the
 * callback wrapper that ends it and restores the caller's context, inside a request's entry span, against the entry
 * span alone.
 */
export function spanWork(
  operation: string,
  componentId: number,
  dbType: string,
  statement: string,
): void {
  const results: BenchResult[] = [];
  const callback = (): void => {};
  results.push(
    bench('entry span alone', () => {
      const request = tracer.startEntrySpan('GET:/bench');
      request.end();
    }),
  );
  results.push(
    bench('entry span + database exit span, tags, callback', () => {
      const request = tracer.startEntrySpan('GET:/bench');
      tracer.withSpan(request, () => {
        const span = startDbSpan(tracer, context.settings, {
          operation,
          peer: '127.0.0.1:5432',
          componentId,
          dbType,
          instance: 'windsock',
          statement,
          parameters: [1],
        });
        spanCallback(span, callback).call(undefined, null, []);
        endDbSpan(span);
      });
      request.end();
    }),
  );
  printTable(`${dbType} span work alone (no driver, no network)`, results);
  const [alone, withDb] = results as [BenchResult, BenchResult];
  process.stdout.write(
    `span work added: +${Math.round(withDb.nsPerOp - alone.nsPerOp)} ns/op, +${Math.round(withDb.bytesPerOp - alone.bytesPerOp)} bytes/op\n\n`,
  );
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}
