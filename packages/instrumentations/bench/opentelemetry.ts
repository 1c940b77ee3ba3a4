// node --import tsx bench/opentelemetry.ts: what a span costs through the OpenTelemetry bridge against the same
// span opened with windsock's own API, for the two shapes libraries emit most: a local span made active around
// work (`startActiveSpan`, against both `withSpan` with no callback and `runInSpan`, which is windsock's `trace()`
// and takes a callback as `startActiveSpan` does) and a database exit span with its attributes. The exit span is
// compared with the bare tracer call with literal tags (the floor) and with what windsock's own pg instrumentation
// does for its exit span per query (reading the query's arguments and the client's address, `startDbSpan` with its
// statement redaction and cap, `endDbSpan`): the span work of a native plugin, without a driver or a server.
// Each iteration opens and ends one request entry span around the measured span, as an HTTP request would; a run
// with the entry span alone is the baseline, so the differences are the measured spans' own cost. Native and
// bridged runs alternate, in one process. Time is the fastest of the alternating runs (other processes on a shared
// machine only ever add time), bytes the median.
import { createRequire } from 'node:module';
import type * as Otel from '@opentelemetry/api';
import { bench, type BenchResult, printTable } from '@windsock/bench-kit';
import {
  createDiagnosticLogger,
  createLogger,
  createTracer,
  DEFAULT_INSTRUMENTATION_SETTINGS,
  runInSpan,
} from '@windsock/core';
import { ComponentId, SpanLayer } from '@windsock/protocol';
import { opentelemetryInstrumentation } from '../src/opentelemetry/index.js';
import {
  COMPONENT_ID,
  DB_TYPE,
  peerOf,
  type PgClient,
  QUERY_OPERATION,
} from '../src/pg/connection.js';
import { readQueryCall } from '../src/pg/query-call.js';
import { endDbSpan, startDbSpan } from '../src/sql/db-span.js';

const require = createRequire(import.meta.url);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 15);

let reported = 0;
const sink = { segment: () => void (reported += 1), log: () => {}, meters: () => {} };
const tracer = createTracer({ serviceName: 'bench', serviceInstance: 'bench-1', sink });
opentelemetryInstrumentation.enable({
  tracer,
  logger: createLogger({ tracer, sink, serviceName: 'bench', serviceInstance: 'bench-1' }),
  diagnostics: createDiagnosticLogger({ write: (line) => console.error(line), throttleMs: 0 }),
  settings: DEFAULT_INSTRUMENTATION_SETTINGS,
});
const api = require('@opentelemetry/api') as typeof Otel;
const otel = api.trace.getTracer('bench', '1.0.0');
// Read once, as an ES module's `import { SpanKind }` of the API does. A CommonJS caller that reads `api.SpanKind`
// per span calls the API's export getter each time, whatever provider is registered: the API's cost, not the bridge's.
const { SpanKind } = api;

const STATEMENT = 'SELECT id, total FROM orders WHERE customer_id = $1';
const VALUES = [42];
// What the pg instrumentation reads off a connected `pg.Client` (pg sets these from its connection parameters).
const PG_CLIENT: PgClient = { host: 'db.local', port: 5432, database: 'shop' };

function inRequest(fn: () => void): () => void {
  return () => {
    const entry = tracer.startEntrySpan('GET:/orders', {
      layer: SpanLayer.Http,
      componentId: ComponentId.HttpServer,
    });
    tracer.withSpan(entry, fn);
    entry.end();
  };
}

const work = (): number => 1;

const cases: Record<string, () => void> = {
  'entry span only (baseline)': inRequest(() => {}),
  'local active span, windsock API': inRequest(() => {
    const span = tracer.startLocalSpan('work');
    tracer.withSpan(span, work);
    span.end();
  }),
  'local active span, windsock trace()': inRequest(() => {
    runInSpan(tracer, tracer.startLocalSpan('work'), () => work());
  }),
  'local active span, OpenTelemetry API': inRequest(() => {
    otel.startActiveSpan('work', (span) => {
      work();
      span.end();
    });
  }),
  'db exit span + 3 tags, windsock API': inRequest(() => {
    const span = tracer.startExitSpan('SELECT orders', 'db.local:5432', {
      layer: SpanLayer.Database,
      componentId: ComponentId.PostgreSQL,
    });
    span.tag('db.type', 'postgresql');
    span.tag('db.instance', 'shop');
    span.tag('db.statement', STATEMENT);
    span.end();
  }),
  'db exit span, windsock pg instrumentation': inRequest(() => {
    // As the patched `Client.prototype.query(text, values)` does around the driver's own call.
    const call = readQueryCall(STATEMENT, VALUES, undefined);
    const span = startDbSpan(tracer, DEFAULT_INSTRUMENTATION_SETTINGS, {
      operation: QUERY_OPERATION,
      peer: peerOf(PG_CLIENT),
      componentId: COMPONENT_ID,
      dbType: DB_TYPE,
      instance: PG_CLIENT.database,
      statement: call.statement,
      parameters: call.parameters,
    });
    endDbSpan(span);
  }),
  'db exit span + 3 tags, OpenTelemetry API': inRequest(() => {
    otel
      .startSpan('SELECT orders', {
        kind: SpanKind.CLIENT,
        attributes: {
          'db.system.name': 'postgresql',
          'db.namespace': 'shop',
          'db.query.text': STATEMENT,
          'server.address': 'db.local',
          'server.port': 5432,
        },
      })
      .end();
  }),
};

const runs = new Map<string, number[]>();
const bytes = new Map<string, number[]>();
for (let r = 0; r < REPEATS; r++) {
  for (const [name, fn] of Object.entries(cases)) {
    const result = bench(name, fn, { iterations: 10_000, warmup: 2_000, rounds: 3 });
    runs.set(name, [...(runs.get(name) ?? []), result.nsPerOp]);
    bytes.set(name, [...(bytes.get(name) ?? []), result.bytesPerOp]);
  }
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[values.length >> 1]!;
const results: BenchResult[] = Object.keys(cases).map((name) => {
  const ns = Math.min(...runs.get(name)!);
  return { name, nsPerOp: ns, opsPerSec: 1e9 / ns, bytesPerOp: median(bytes.get(name)!) };
});
printTable(
  `OpenTelemetry bridge vs windsock API, per request (${REPEATS} alternating runs: fastest time, median bytes)`,
  results,
);
const own = (i: number, field: 'nsPerOp' | 'bytesPerOp'): number =>
  results[i]![field] - results[0]![field];
const line = (label: string, bridged: number, natives: [string, number][]): string =>
  `${label}: bridged ${own(bridged, 'nsPerOp').toFixed(0)} ns ${own(bridged, 'bytesPerOp').toFixed(0)} B; ` +
  natives
    .map(
      ([name, i]) =>
        `${name} ${own(i, 'nsPerOp').toFixed(0)} ns ${own(i, 'bytesPerOp').toFixed(0)} B ` +
        `(ratio ${(own(bridged, 'nsPerOp') / own(i, 'nsPerOp')).toFixed(2)} ns, ` +
        `${(own(bridged, 'bytesPerOp') / own(i, 'bytesPerOp')).toFixed(2)} B)`,
    )
    .join('; ');
process.stdout.write(
  [
    line('local active span', 3, [
      ['withSpan', 1],
      ['trace()', 2],
    ]),
    line('db exit span', 6, [
      ['windsock API', 4],
      ['pg instrumentation', 5],
    ]),
    `segments reported: ${reported}`,
    '',
  ].join('\n'),
);
