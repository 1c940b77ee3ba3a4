// pnpm build && node --import tsx bench/redis.ts: what the node-redis instrumentation adds per command, against a
// real redis-server started for the run, with the instrumentation from the build (dist/), the code users run. Every
// operation runs inside a request's entry span (the same span work with and without). Wall time includes the round
// trip and whatever else the machine runs; CPU time is this process's own (user + system) per command.
// - node-redis 4 (@redis/client 1.x, hooked): two copies loaded in the same process, one before the instrumentation
//   is enabled (plain) and one after (instrumented), measured in alternating trials.
// - node-redis 5.12 (diagnostics channels, process-wide): one client, measured with the instrumentation disabled and
//   enabled in alternating trials, and with an empty subscriber: any subscriber turns on node-redis's own tracing
//   (tracePromise, a context object and its argument sanitizing per call), which is part of what an application pays
//   and not windsock's work.
// (a) one GET awaited at a time; (b) 20 GETs issued together (Promise.all); (c) 20 GETs with execAsPipeline();
// (d) MULTI with 10 SETs, one span per transaction.
import diagnosticsChannel from 'node:diagnostics_channel';
import { createRequire } from 'node:module';
import {
  type BenchResult,
  benchAsync,
  median,
  medianResult,
  printTable,
} from '@windsock/bench-kit';
import { startRedis, type RedisServer } from '@windsock/test-servers';
import { LIBRARY_INSTRUMENTATIONS } from '../dist/index.js';
import { benchTracing, requireFresh } from './harness.js';

const require = createRequire(import.meta.url);
const redisInstrumentation = LIBRARY_INSTRUMENTATIONS.find((i) => i.name === 'redis')!;
const TRIALS = Number(process.env.BENCH_TRIALS ?? 5);

const { tracer, context, segmentsReported } = benchTracing();

interface Multi {
  get(key: string): Multi;
  set(key: string, value: string): Multi;
  exec(): Promise<unknown>;
  execAsPipeline(): Promise<unknown>;
}
interface Client {
  connect(): Promise<unknown>;
  get(key: string): Promise<unknown>;
  multi(): Multi;
  quit(): Promise<unknown>;
}
type CreateClient = (options: Record<string, unknown>) => Client;

async function inRequest(fn: () => Promise<unknown>): Promise<void> {
  const request = tracer.startEntrySpan('GET:/cache');
  await tracer.withSpan(request, fn);
  request.end();
}

const CASES = {
  single: { label: '(a) GET awaited', per: 1, iterations: 2_000, warmup: 500 },
  concurrent: { label: '(b) 20 GETs together', per: 20, iterations: 300, warmup: 100 },
  pipeline: { label: '(c) execAsPipeline of 20 GETs', per: 20, iterations: 300, warmup: 100 },
  multi: { label: '(d) MULTI of 10 SETs', per: 10, iterations: 500, warmup: 100 },
} as const;
type Case = keyof typeof CASES;

interface Measured {
  wall: BenchResult;
  cpuNs: number;
}

async function run(name: string, client: Client, which: Case): Promise<Measured> {
  const { label, per, iterations, warmup } = CASES[which];
  const keys = Array.from({ length: per }, (_, i) => `bench:key:${i}`);
  const op = {
    single: () => inRequest(() => client.get('bench:key:0')),
    concurrent: () => inRequest(() => Promise.all(keys.map((k) => client.get(k)))),
    pipeline: () =>
      inRequest(() => {
        const multi = client.multi();
        for (const k of keys) multi.get(k);
        return multi.execAsPipeline();
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

type Results = Record<
  Case,
  { plain: Measured[]; instrumented: Measured[]; emptySubscriber: Measured[] }
>;

function emptyResults(): Results {
  return {
    single: { plain: [], instrumented: [], emptySubscriber: [] },
    concurrent: { plain: [], instrumented: [], emptySubscriber: [] },
    pipeline: { plain: [], instrumented: [], emptySubscriber: [] },
    multi: { plain: [], instrumented: [], emptySubscriber: [] },
  };
}

const EMPTY_HANDLERS = {
  start() {},
  end() {},
  asyncStart() {},
  asyncEnd() {},
  error() {},
};

/** Subscribes handlers that do nothing to node-redis's channels; returns the unsubscribe. */
function subscribeEmpty(): () => void {
  const channels = ['node-redis:command', 'node-redis:batch'].map((name) =>
    diagnosticsChannel.tracingChannel(name),
  );
  for (const channel of channels) channel.subscribe(EMPTY_HANDLERS);
  return () => {
    for (const channel of channels) channel.unsubscribe(EMPTY_HANDLERS);
  };
}

function report(title: string, results: Results): void {
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
    const er = results[which].emptySubscriber;
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
  printTable(`${title}, per command (median of ${TRIALS} trials)`, rows);
  process.stdout.write(`${lines.join('\n')}\n\n`);
}

async function benchRedis4(server: RedisServer): Promise<void> {
  const createPlain = requireFresh<{ createClient: CreateClient }>('redis4', [
    '@redis/client',
  ]).createClient;
  const undo = redisInstrumentation.enable(context);
  const createInstrumented = requireFresh<{ createClient: CreateClient }>('redis4', [
    '@redis/client',
  ]).createClient;
  const plain = createPlain({ socket: { host: server.host, port: server.port } });
  const instrumented = createInstrumented({ socket: { host: server.host, port: server.port } });
  await Promise.all([plain.connect(), instrumented.connect()]);
  const results = emptyResults();
  for (let t = 0; t < TRIALS; t++) {
    for (const which of Object.keys(CASES) as Case[]) {
      results[which].plain.push(await run('plain', plain, which));
      results[which].instrumented.push(await run('instrumented', instrumented, which));
    }
  }
  report('node-redis 4.7.1 (@redis/client 1.x hooks) against redis-server', results);
  await Promise.all([plain.quit(), instrumented.quit()]);
  undo();
}

async function benchRedis5(server: RedisServer): Promise<void> {
  const { createClient } = require('redis') as { createClient: CreateClient };
  const client = createClient({ socket: { host: server.host, port: server.port } });
  await client.connect();
  const results = emptyResults();
  for (let t = 0; t < TRIALS; t++) {
    for (const which of Object.keys(CASES) as Case[]) {
      results[which].plain.push(await run('plain', client, which));
      const unsubscribe = subscribeEmpty();
      results[which].emptySubscriber.push(await run('empty subscriber', client, which));
      unsubscribe();
      const undo = redisInstrumentation.enable(context);
      results[which].instrumented.push(await run('instrumented', client, which));
      undo();
    }
  }
  report('node-redis 5.12 (diagnostics channels) against redis-server', results);
  await client.quit();
}

async function main(): Promise<void> {
  const server = await startRedis();
  try {
    await benchRedis4(server);
    await benchRedis5(server);
    process.stdout.write(`segments reported: ${segmentsReported()}\n`);
  } finally {
    await server.stop();
  }
}

await main();
