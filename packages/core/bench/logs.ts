// The cost of reporting one pino line: pino alone writing to /dev/null, then the same with the pino integration
// reporting each line (correlated, inside a span) to a sink that does nothing, and to one that encodes the record
// as the facade does before enqueueing it.
import { openSync } from 'node:fs';
import { encodeLogData, type LogData } from '@windsock/protocol';
import { bench, printTable } from '@windsock/bench-kit';
import pino from 'pino';
import { createLogger, createTracer, type Sink } from '../src/index.js';
import { instrumentPino, pinoMixin } from '../src/pino.js';

let encodedBytes = 0;
const noopSink: Sink = { segment() {}, log() {}, meters() {} };
const encodingSink: Sink = {
  segment() {},
  meters() {},
  log(record: LogData) {
    encodedBytes += encodeLogData(record).byteLength;
  },
};

const devNull = pino.destination({ dest: openSync('/dev/null', 'w'), sync: true });
const app = pino(devNull);
const correlated = pino({ mixin: pinoMixin }, devNull);
const tracer = createTracer({ serviceName: 'bench', serviceInstance: 'bench-1', sink: noopSink });
const span = tracer.startEntrySpan('GET:/orders');
const options = { iterations: 50_000, rounds: 7, warmup: 20_000 };
const line = () => app.info({ orderId: 42, user: 'ada' }, 'order accepted');

const results = [bench('pino alone -> /dev/null', line, options)];

const stopNoop = instrumentPino(createLogger({ tracer, sink: noopSink }));
results.push(bench('pino + integration (record built, no-op sink)', line, options));
results.push(
  tracer.withSpan(span, () =>
    bench(
      'pino + integration, in a span, correlated output',
      () => {
        correlated.info({ orderId: 42, user: 'ada' }, 'order accepted');
      },
      options,
    ),
  ),
);
stopNoop();

const stopEncoding = instrumentPino(createLogger({ tracer, sink: encodingSink }));
results.push(
  tracer.withSpan(span, () =>
    bench('pino + integration, in a span, record encoded (facade sink)', line, options),
  ),
);
stopEncoding();

const direct = createLogger({ tracer, sink: noopSink });
results.push(
  tracer.withSpan(span, () =>
    bench(
      'core logger.info alone (no pino), in a span',
      () => {
        direct.info('order accepted', { orderId: 42, user: 'ada' });
      },
      options,
    ),
  ),
);

printTable('@windsock/core: one log line', results);
const added = (index: number) => (results[index]!.nsPerOp - results[0]!.nsPerOp).toFixed(0);
process.stdout.write(
  `added per line by the integration: ${added(1)} ns (no-op sink), ${added(3)} ns (encoded); ` +
    `encoded bytes: ${encodedBytes}\n`,
);
