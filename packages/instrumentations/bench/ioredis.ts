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
import { startRedis } from '@windsock/test-servers';
import type { Redis as IORedis } from 'ioredis';
import { LIBRARY_INSTRUMENTATIONS } from '../dist/index.js';
import {
  CASE_NAMES,
  type CacheCommands,
  emptyTrials,
  measureCase,
  reportTrials,
} from './cache-cases.js';
import { benchTracing, requireFresh } from './harness.js';

const require = createRequire(import.meta.url);
const ioredisInstrumentation = LIBRARY_INSTRUMENTATIONS.find((i) => i.name === 'ioredis')!;
const TRIALS = Number(process.env.BENCH_TRIALS ?? 5);

const { tracer, context, segmentsReported } = benchTracing();

function commandsOf(client: IORedis): CacheCommands {
  return {
    get: (key) => client.get(key),
    pipelineGets: (keys) => {
      const pipeline = client.pipeline();
      for (const k of keys) pipeline.get(k);
      return pipeline.exec();
    },
    multiSets: (keys) => {
      const multi = client.multi();
      for (const k of keys) multi.set(k, 'v');
      return multi.exec();
    },
  };
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
    const trials = emptyTrials();
    for (let t = 0; t < TRIALS; t++) {
      for (const which of CASE_NAMES) {
        trials[which].plain.push(await measureCase(tracer, 'plain', commandsOf(plain), which));
        trials[which].instrumented.push(
          await measureCase(tracer, 'instrumented', commandsOf(instrumented), which),
        );
      }
    }
    const version = (require('ioredis/package.json') as { version: string }).version;
    reportTrials(`ioredis ${version} against redis-server`, trials, TRIALS);
    process.stdout.write(`segments reported: ${segmentsReported()}\n`);
    plain.disconnect();
    instrumented.disconnect();
    undo();
  } finally {
    await server.stop();
  }
}

await main();
