// pnpm build && node --import tsx bench/ioredis.ts: what the ioredis instrumentation adds per command, against a real
// redis-server started for the run. The instrumentation comes from the build (dist/), the code users run: tsx's
// transform of src/ wraps every closure in a naming helper that costs more than the hook itself. Two copies of
// ioredis 5.11 are loaded in the same process, one before the instrumentation is enabled (plain) and one after
// (instrumented), each with its own connection, and measured in alternating trials, every operation inside a
// request's entry span (the same span work in both copies). Wall time includes the round trip and whatever else the
// machine runs; CPU time is this process's own (user + system) per command.
// (a) one GET awaited at a time: the latency an application sees;
// (b) 20 GETs issued together (Promise.all): the round trip shared, so the per-command cost shows;
// (c) a pipeline of 20 GETs: each command's caller context is captured when it is queued;
// (d) MULTI with 10 SETs: one span per transaction.
import { createRequire } from 'node:module';
import {
  type BenchResult,
  benchAsync,
  median,
  medianResult,
  printTable,
} from '@windsock/bench-kit';
import { startRedis } from '@windsock/test-servers';
import type { Redis as IORedis } from 'ioredis';
import { LIBRARY_INSTRUMENTATIONS } from '../dist/index.js';
import { benchTracing, requireFresh } from './harness.js';

const require = createRequire(import.meta.url);
const ioredisInstrumentation = LIBRARY_INSTRUMENTATIONS.find((i) => i.name === 'ioredis')!;
const TRIALS = Number(process.env.BENCH_TRIALS ?? 5);

const { tracer, context, segmentsReported } = benchTracing();

function ratio(label: string, plain: BenchResult, instrumented: BenchResult): string {
  const extra = instrumented.nsPerOp - plain.nsPerOp;
  return `${label}: ${extra >= 0 ? '+' : ''}${Math.round(extra)} ns/command (x${(instrumented.nsPerOp / plain.nsPerOp).toFixed(2)}), ${instrumented.bytesPerOp >= plain.bytesPerOp ? '+' : ''}${Math.round(instrumented.bytesPerOp - plain.bytesPerOp)} bytes/command`;
}

/** Runs `fn` inside a request's entry span, as an HTTP handler would. */
async function inRequest(fn: () => Promise<unknown>): Promise<void> {
  const request = tracer.startEntrySpan('GET:/cache');
  await tracer.withSpan(request, fn);
  request.end();
}

const CASES = {
  single: { label: '(a) GET awaited', per: 1, iterations: 2_000, warmup: 500 },
  concurrent: { label: '(b) 20 GETs together', per: 20, iterations: 300, warmup: 100 },
  pipeline: { label: '(c) pipeline of 20 GETs', per: 20, iterations: 300, warmup: 100 },
  multi: { label: '(d) MULTI of 10 SETs', per: 10, iterations: 500, warmup: 100 },
} as const;
type Case = keyof typeof CASES;

interface Measured {
  wall: BenchResult;
  /** This process's CPU time per command, in nanoseconds. */
  cpuNs: number;
}

async function run(name: string, client: IORedis, which: Case): Promise<Measured> {
  const { label, per, iterations, warmup } = CASES[which];
  const keys = Array.from({ length: per }, (_, i) => `bench:key:${i}`);
  const op = {
    single: () => inRequest(() => client.get('bench:key:0')),
    concurrent: () => inRequest(() => Promise.all(keys.map((k) => client.get(k)))),
    pipeline: () =>
      inRequest(() => {
        const pipeline = client.pipeline();
        for (const k of keys) pipeline.get(k);
        return pipeline.exec();
      }),
    multi: () =>
      inRequest(() => {
        const multi = client.multi();
        for (const k of keys) multi.set(k, 'v');
        return multi.exec();
      }),
  }[which];
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

async function main(): Promise<void> {
  const server = await startRedis();
  try {
    const Plain = requireFresh<typeof IORedis>('ioredis');
    const undo = ioredisInstrumentation.enable(context);
    const Instrumented = requireFresh<typeof IORedis>('ioredis');
    const plain = new Plain({ host: server.host, port: server.port });
    const instrumented = new Instrumented({ host: server.host, port: server.port });
    await Promise.all([plain.ping(), instrumented.ping()]);

    const results: Record<Case, { plain: Measured[]; instrumented: Measured[] }> = {
      single: { plain: [], instrumented: [] },
      concurrent: { plain: [], instrumented: [] },
      pipeline: { plain: [], instrumented: [] },
      multi: { plain: [], instrumented: [] },
    };
    for (let t = 0; t < TRIALS; t++) {
      for (const which of Object.keys(CASES) as Case[]) {
        results[which].plain.push(await run('plain', plain, which));
        results[which].instrumented.push(await run('instrumented', instrumented, which));
      }
    }
    const rows: BenchResult[] = [];
    const lines: string[] = [];
    for (const which of Object.keys(CASES) as Case[]) {
      const { label } = CASES[which];
      const { plain: pr, instrumented: ir } = results[which];
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
      lines.push(
        `${ratio(label, p, i)}; CPU ${Math.round(pc)} -> ${Math.round(ic)} ns/command (+${Math.round(ic - pc)}, x${(ic / pc).toFixed(2)})`,
      );
    }
    printTable(
      `ioredis ${(require('ioredis/package.json') as { version: string }).version} against redis-server, per command (median of ${TRIALS} trials)`,
      rows,
    );
    process.stdout.write(`${lines.join('\n')}\nsegments reported: ${segmentsReported()}\n`);
    plain.disconnect();
    instrumented.disconnect();
    undo();
  } finally {
    await server.stop();
  }
}

await main();
