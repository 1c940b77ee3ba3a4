// Per-call cost of the grpc-js instrumentation: real calls over loopback to a real grpc-js server in this process,
// without the instrumentation and with it (client exit span, server entry span, sw8 both ways), in the same run.
// Run: node --import tsx bench/grpc-js.ts
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type * as GrpcJs from '@grpc/grpc-js';
import type * as ProtoLoader from '@grpc/proto-loader';
import { AsyncResource } from 'node:async_hooks';
import {
  type BenchResult,
  bench,
  benchAsync,
  median,
  medianResult,
  printTable,
} from '@windsock/bench-kit';
import { ComponentId, SpanLayer } from '@windsock/protocol';
import { grpcJsInstrumentation } from '../src/grpc-js/index.js';
import { metadataSource, type MetadataLike, PendingHeaders } from '../src/grpc-js/metadata.js';
import { CallSpan } from '../src/grpc-js/status.js';
import { benchTracing } from './harness.js';

const require = createRequire(import.meta.url);
const PROTO = fileURLToPath(new URL('../test/fixtures/grpc-js/echo.proto', import.meta.url));

interface Message {
  text: string;
  n: number;
}
type Callback = (error: GrpcJs.ServiceError | null, reply?: Message) => void;
interface EchoStub extends GrpcJs.Client {
  Say(request: Message, cb: Callback): void;
  Count(request: Message): GrpcJs.ClientReadableStream<Message>;
}
type EchoConstructor = (new (address: string, creds: GrpcJs.ChannelCredentials) => EchoStub) & {
  service: GrpcJs.ServiceDefinition;
};

const { tracer, context, segmentsReported } = benchTracing();

/** A server and a client of its own; handlers are registered now, so they are traced when the hook is on. */
async function endpoint(grpc: typeof GrpcJs): Promise<{ client: EchoStub; stop(): Promise<void> }> {
  const protoLoader = require('@grpc/proto-loader') as typeof ProtoLoader;
  const loaded = grpc.loadPackageDefinition(protoLoader.loadSync(PROTO)) as unknown as {
    windsock: { test: { Echo: EchoConstructor } };
  };
  const Echo = loaded.windsock.test.Echo;
  const server = new grpc.Server();
  server.addService(Echo.service, {
    Say(call: GrpcJs.ServerUnaryCall<Message, Message>, callback: GrpcJs.sendUnaryData<Message>) {
      callback(null, call.request);
    },
    Count(call: GrpcJs.ServerWritableStream<Message, Message>) {
      for (let i = 0; i < call.request.n; i++) call.write({ text: 'tick', n: i });
      call.end();
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error === null ? resolve(bound) : reject(error),
    ),
  );
  const client = new Echo(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  return {
    client,
    stop: () =>
      new Promise<void>((resolve) => {
        client.close();
        server.tryShutdown(() => resolve());
      }),
  };
}

const say = (client: EchoStub): Promise<Message | undefined> =>
  new Promise((resolve, reject) =>
    client.Say({ text: 'bench', n: 1 }, (error, reply) => (error ? reject(error) : resolve(reply))),
  );

const count = (client: EchoStub): Promise<number> =>
  new Promise((resolve, reject) => {
    let n = 0;
    const stream = client.Count({ text: '', n: 10 });
    stream.on('data', () => (n += 1));
    stream.on('error', reject);
    stream.on('end', () => resolve(n));
  });

/** As an app calls: under the span of the request it is handling. */
function underSpan<T>(fn: () => Promise<T>): Promise<T> {
  const parent = tracer.startLocalSpan('request');
  return tracer.withSpan(parent, fn).finally(() => parent.end());
}

const options = { iterations: 1_000, rounds: 3, warmup: 300 };
// Phases alternate (off, on, off, on, ...) and each figure is the median over its phases, so that load from other
// processes drifting during the run weighs on both sides alike.
const PHASES = 3;
const grpc = require('@grpc/grpc-js') as typeof GrpcJs;
const runs: Record<string, BenchResult[]> = {};
// CPU time of this process per call (client and server both run here): less swayed by other processes than wall time.
const cpuRuns: Record<string, number[]> = {};

async function measure(name: string, fn: () => Promise<unknown>): Promise<void> {
  let calls = 0;
  const before = process.cpuUsage();
  const result = await benchAsync(
    name,
    () => {
      calls += 1;
      return fn();
    },
    options,
  );
  const used = process.cpuUsage(before);
  (runs[name] ??= []).push(result);
  (cpuRuns[name] ??= []).push(((used.user + used.system) * 1000) / calls);
}

async function phase(instrumented: boolean): Promise<void> {
  // Enabled, the app's next require patches the loaded copy, as under windsock/register; handlers registered after.
  const undo = instrumented ? grpcJsInstrumentation.enable(context) : undefined;
  if (instrumented) require('@grpc/grpc-js');
  const served = await endpoint(grpc);
  const client = served.client;
  const label = instrumented ? 'instrumented' : 'no instrumentation';
  await measure(`unary, ${label}`, () => underSpan(() => say(client)));
  await measure(`server stream x10, ${label}`, () => underSpan(() => count(client)));
  await served.stop();
  undo?.();
}

for (let i = 0; i < PHASES; i++) {
  await phase(false);
  await phase(true);
}

const results = Object.entries(runs).map(([name, list]) => medianResult(name, list));
printTable(
  'grpc-js: one call over loopback, client and server in this process (median of phases)',
  results,
);
const byName = (name: string): BenchResult => results.find((r) => r.name === name)!;
const line = (name: string): string => {
  const base = byName(`${name}, no instrumentation`);
  const traced = byName(`${name}, instrumented`);
  const cpuBase = median(cpuRuns[`${name}, no instrumentation`]!);
  const cpuTraced = median(cpuRuns[`${name}, instrumented`]!);
  return (
    `${name}: ${Math.round(traced.nsPerOp - base.nsPerOp)} ns/op more (x${(traced.nsPerOp / base.nsPerOp).toFixed(2)}), ` +
    `CPU ${Math.round(cpuBase)} -> ${Math.round(cpuTraced)} ns/op (x${(cpuTraced / cpuBase).toFixed(2)}), ` +
    `${Math.round(traced.bytesPerOp - base.bytesPerOp)} bytes/op more\n`
  );
};
process.stdout.write(line('unary'));
process.stdout.write(line('server stream x10'));
process.stdout.write(`segments reported: ${segmentsReported()}\n`);

// The span work of one traced call without the network, both sides (what the hooks do around grpc-js): exit span
// and sw8 into a copy of the app's metadata, entry span continuing it, both finished, the caller's context kept. A
// steadier figure for time and allocation than the loopback calls, whose own allocation varies from run to run.
const appMetadata = new grpc.Metadata() as unknown as MetadataLike;
appMetadata.set('x-app', 'value');
const rpc = { layer: SpanLayer.RPCFramework, componentId: ComponentId.GRPC };
const spanWork = (): void => {
  const headers = new PendingHeaders();
  const exit = tracer.startExitSpan('/windsock.test.Echo/Say', '127.0.0.1:50051', {
    headers,
    ...rpc,
  });
  const caller = new AsyncResource('windsock.grpc-js.call');
  const sent = headers.applyTo(appMetadata);
  const entry = tracer.startEntrySpan('/windsock.test.Echo/Say', {
    headers: metadataSource(sent),
    root: true,
    ...rpc,
  });
  new CallSpan(entry).finish(0, 'OK');
  caller.runInAsyncScope(() => new CallSpan(exit).finish(0, 'OK'));
};
const parentOnly = bench('request span only', () => {
  const parent = tracer.startLocalSpan('request');
  parent.end();
});
const withCall = bench('request span + one traced call, both sides', () => {
  const parent = tracer.startLocalSpan('request');
  tracer.withSpan(parent, spanWork);
  parent.end();
});
printTable('grpc-js: span work per call, no network', [parentOnly, withCall]);
process.stdout.write(
  `span work: ${Math.round(withCall.nsPerOp - parentOnly.nsPerOp)} ns/op, ` +
    `${Math.round(withCall.bytesPerOp - parentOnly.bytesPerOp)} bytes/op\n`,
);
