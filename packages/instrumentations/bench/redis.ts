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
import { startRedis, type RedisServer } from '@windsock/test-servers';
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

function commandsOf(client: Client): CacheCommands {
  return {
    get: (key) => client.get(key),
    pipelineGets: (keys) => {
      const multi = client.multi();
      for (const k of keys) multi.get(k);
      return multi.execAsPipeline();
    },
    multiSets: (keys) => {
      const multi = client.multi();
      for (const k of keys) multi.set(k, 'v');
      return multi.exec();
    },
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
  const trials = emptyTrials();
  for (let t = 0; t < TRIALS; t++) {
    for (const which of CASE_NAMES) {
      trials[which].plain.push(await measureCase(tracer, 'plain', commandsOf(plain), which));
      trials[which].instrumented.push(
        await measureCase(tracer, 'instrumented', commandsOf(instrumented), which),
      );
    }
  }
  reportTrials('node-redis 4.7.1 (@redis/client 1.x hooks) against redis-server', trials, TRIALS);
  await Promise.all([plain.quit(), instrumented.quit()]);
  undo();
}

async function benchRedis5(server: RedisServer): Promise<void> {
  const { createClient } = require('redis') as { createClient: CreateClient };
  const client = createClient({ socket: { host: server.host, port: server.port } });
  await client.connect();
  const trials = emptyTrials();
  for (let t = 0; t < TRIALS; t++) {
    for (const which of CASE_NAMES) {
      trials[which].plain.push(await measureCase(tracer, 'plain', commandsOf(client), which));
      const unsubscribe = subscribeEmpty();
      trials[which].emptySubscriber.push(
        await measureCase(tracer, 'empty subscriber', commandsOf(client), which),
      );
      unsubscribe();
      const undo = redisInstrumentation.enable(context);
      trials[which].instrumented.push(
        await measureCase(tracer, 'instrumented', commandsOf(client), which),
      );
      undo();
    }
  }
  reportTrials('node-redis 5.12 (diagnostics channels) against redis-server', trials, TRIALS);
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
