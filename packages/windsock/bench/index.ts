// pnpm bench: what the facade adds on the application's thread — encoding a finished segment or log record once
// and offering it to its bounded queue — measured through the public API with a real collector on loopback, beside
// the same spans handed to a sink that discards them.
import { bench, benchAsync, printTable } from '@windsock/bench-kit';
import { startCollector } from '@windsock/collector';
import { createMeterRegistry, createTracer, runInSpan } from '@windsock/core';
import { FrameEncoder, type SegmentObject } from '@windsock/protocol';
import { start } from '../src/index.js';

const collector = await startCollector({ port: 0, retain: 100 });
const agent = start({
  serviceName: 'bench-service',
  serviceInstance: 'bench-instance-1',
  collector: collector.address,
  maxBufferSize: 200_000,
  maxBufferBytes: 256 * 1024 * 1024,
  lingerMs: 0,
  meterReporterEnable: false,
  diagnostics: () => {},
});
agent.tracer.disable(); // no HTTP instrumentation needed: spans are made by hand below

let discarded = 0;
const bare = createTracer({
  serviceName: 'bench-service',
  serviceInstance: 'bench-instance-1',
  sink: { segment: () => void (discarded += 1), log: () => {}, meters: () => {} },
});

function spanPair(tracer: typeof bare): void {
  const entry = tracer.startEntrySpan('GET:/api/orders');
  entry.tag('http.method', 'GET');
  tracer.withSpan(entry, () => {
    const exit = tracer.startExitSpan('/stock', 'stock:8080');
    exit.tag('http.status_code', 200);
    exit.end();
  });
  entry.tag('http.status_code', 200);
  entry.end();
}

let lastSegment: SegmentObject | undefined;
const capture = createTracer({
  serviceName: 'bench-service',
  serviceInstance: 'bench-instance-1',
  sink: { segment: (s) => void (lastSegment = s), log: () => {}, meters: () => {} },
});
spanPair(capture);
const segment = lastSegment!;

// Few enough operations per round that the queue stays small, as it does when the loop keeps up; the loop drains
// between benchmarks.
const options = { iterations: 2_000, warmup: 2_000, rounds: 7 };
const settle = () => agent.flush({ timeoutMs: 30_000 });
const results = [
  bench('entry + exit span, sink discards (core alone)', () => spanPair(bare), options),
];
await settle();
results.push(
  bench('entry + exit span → encoded → queued (windsock)', () => spanPair(agent.tracer), options),
);
await settle();
const encoder = new FrameEncoder();
results.push(bench('FrameEncoder.segment (2 spans)', () => encoder.segment(segment), options));
results.push(
  bench(
    'logger.info → LogData → encoded → queued',
    (i) => agent.logger.info('order placed', { id: i }),
    options,
  ),
);
await settle();
// Everything on the application's thread, sending included: 100 span pairs, then one turn of the event loop in
// which the drain loop encodes nothing (frames are ready) and writes a batch to the collector.
const BURST = 100;
results.push(
  await benchAsync(
    'span pair incl. the drain loop sending it (per pair)',
    async () => {
      for (let j = 0; j < BURST; j++) spanPair(agent.tracer);
      await new Promise((resolve) => setImmediate(resolve));
    },
    { iterations: 200, warmup: 50, rounds: 5, opsPerCall: BURST },
  ),
);
await settle();
// The tracing API for application code: what trace() adds over a local span made by hand, on core's tracer with a
// sink that discards (the queue's cost is in the rows above), sync and async.
const byHand = (): void => {
  const entry = bare.startEntrySpan('GET:/api/orders');
  bare.withSpan(entry, () => {
    const local = bare.startLocalSpan('price');
    bare.withSpan(local, () => 42);
    local.end();
  });
  entry.end();
};
const traced = (): void => {
  const entry = bare.startEntrySpan('GET:/api/orders');
  bare.withSpan(entry, () => runInSpan(bare, bare.startLocalSpan('price'), () => 42));
  entry.end();
};
const byHandAsync = async (): Promise<void> => {
  const entry = bare.startEntrySpan('GET:/api/orders');
  await bare.withSpan(entry, async () => {
    const local = bare.startLocalSpan('price');
    try {
      await bare.withSpan(local, () => Promise.resolve(42));
    } finally {
      local.end();
    }
  });
  entry.end();
};
const tracedAsync = async (): Promise<void> => {
  const entry = bare.startEntrySpan('GET:/api/orders');
  await bare.withSpan(entry, () =>
    runInSpan(bare, bare.startLocalSpan('price'), () => Promise.resolve(42)),
  );
  entry.end();
};
results.push(
  bench('entry + local span by hand, sync (sink discards)', byHand, options),
  bench('entry + trace(sync fn) (sink discards)', traced, options),
  await benchAsync('entry + local span by hand, async (sink discards)', byHandAsync, options),
  await benchAsync('entry + trace(async fn) (sink discards)', tracedAsync, options),
);
// One collection of the runtime meters (once per meterIntervalMs, 20 s by default): every reading they take.
const runtime = createMeterRegistry({
  sink: { segment: () => {}, log: () => {}, meters: () => {} },
  serviceName: 'bench-service',
  serviceInstance: 'bench-instance-1',
});
runtime.start();
results.push(
  bench('runtime meters: one collection (25 series)', () => runtime.collect(), {
    iterations: 200,
    warmup: 50,
    rounds: 7,
  }),
);
runtime.stop();
await agent.flush({ timeoutMs: 30_000 });
const status = agent.status();
printTable(`windsock facade — node ${process.version}`, results);
for (const name of ['segments', 'logs'] as const) {
  const p = status.pipelines[name];
  process.stdout.write(
    `${name}: produced ${p.produced}, delivered ${p.delivered}, dropped ${JSON.stringify(p.dropped)}, queued ${p.queued}\n`,
  );
}
await agent.shutdown({ timeoutMs: 5_000 });
await collector.stop();
