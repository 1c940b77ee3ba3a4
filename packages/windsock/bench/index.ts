// pnpm bench: what the facade adds on the application's thread — encoding a finished segment or log record once
// and offering it to its bounded queue — measured through the public API with a real collector on loopback, beside
// the same spans handed to a sink that discards them.
import { bench, benchAsync, printTable } from '@windsock/bench-kit';
import { startCollector } from '@windsock/collector';
import { createTracer } from '@windsock/core';
import { encodeSegmentObject, type SegmentObject } from '@windsock/protocol';
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
results.push(bench('encodeSegmentObject (2 spans)', () => encodeSegmentObject(segment), options));
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
