// apache/skywalking#11832 in Node: run by feedback-loop.test.ts as `node --stack-size=200 --expose-gc`.
//
// The application's pino and winston loggers are both reported (integrations active) AND are the agent's
// diagnostic output. The log sink is a full queue: every offer overflows, and every overflow writes a diagnostic
// (no throttling), which goes through both instrumented loggers. In the Go agent this recursed until the stack
// overflowed; here the re-entrancy guard must make each diagnostic line a plain write that is never reported.
import { closeSync, openSync, writeSync } from 'node:fs';
import { Writable } from 'node:stream';
import { encodeLogData, type LogData } from '@windsock/protocol';
import { BoundedQueue } from '@windsock/queue';
import pino from 'pino';
import winston from 'winston';
import { createDiagnosticLogger, createLogger, createTracer } from '../../src/index.js';
import { instrumentPino, pinoMixin } from '../../src/pino.js';
import { instrumentWinston } from '../../src/winston.js';

const MODE = process.env.FEEDBACK_MODE ?? 'both';
const LINES = Number(process.env.FEEDBACK_LINES ?? 100_000);
const QUEUE_ITEMS = 1_000;
const DEPTH_SAMPLE_EVERY = 97;

Error.stackTraceLimit = 1_000;
function stackDepth(): number {
  return (new Error().stack ?? '').split('\n').length - 1;
}
function heapAfterGc(): number {
  globalThis.gc?.();
  return process.memoryUsage().heapUsed;
}

// Both loggers write synchronously to /dev/null, as a logger writing to a file or a terminal would.
const devNull = openSync('/dev/null', 'w');
let pinoLines = 0;
let winstonLines = 0;
const pinoLogger = pino(
  { mixin: pinoMixin },
  {
    write(line: string) {
      pinoLines += 1;
      writeSync(devNull, line);
    },
  },
);
const winstonLogger = winston.createLogger({
  format: winston.format.json(),
  transports: [
    new winston.transports.Stream({
      stream: new Writable({
        objectMode: true,
        write(info: unknown, _encoding, done) {
          winstonLines += 1;
          writeSync(devNull, `${JSON.stringify(info)}\n`);
          done();
        },
      }),
    }),
  ],
});

// The agent's diagnostics go to the application's loggers: the configuration that crashed the Go agent.
let diagnosticLines = 0;
// Stack depth where the diagnostic is written, per application logger whose line triggered it: each path must
// stay at one depth for the whole run, however many lines overflowed before.
let source: 'pino' | 'winston' = 'pino';
const depths = {
  pino: { min: Infinity, max: 0, samples: 0 },
  winston: { min: Infinity, max: 0, samples: 0 },
};
const diagnostics = createDiagnosticLogger({
  throttleMs: 0,
  write(line) {
    diagnosticLines += 1;
    if (diagnosticLines % DEPTH_SAMPLE_EVERY === 0) {
      const depth = stackDepth();
      const seen = depths[source];
      seen.min = Math.min(seen.min, depth);
      seen.max = Math.max(seen.max, depth);
      seen.samples += 1;
    }
    pinoLogger.warn(line);
    winstonLogger.warn(line);
  },
});

// A full queue: drop-newest, filled before the run, never drained (the backend is unreachable).
const queue = new BoundedQueue<Uint8Array>({
  maxItems: QUEUE_ITEMS,
  maxBytes: 16 * 1024 * 1024,
  overflow: 'drop-newest',
  onOverflow: ({ phase, dropped }) =>
    diagnostics.warn('log-queue-overflow', `overflow ${phase}, ${dropped} dropped`),
});
for (let i = 0; i < QUEUE_ITEMS; i += 1) queue.offer(new Uint8Array(64), 64);

let notQueued = 0;
const sink = {
  segment() {},
  meters() {},
  log(record: LogData) {
    const frame = encodeLogData(record);
    if (queue.offer(frame, frame.byteLength) !== 'accepted') {
      notQueued += 1;
      diagnostics.warn('log-queue-full', 'reach max log send buffer');
    }
  },
};
const tracer = createTracer({ serviceName: 'feedback', serviceInstance: 'feedback-1', sink });
const reporter = createLogger({ tracer, sink });
const stopPino = instrumentPino(reporter);
const stopWinston = instrumentWinston(winstonLogger, reporter);

// As fast as possible, in chunks: between chunks the loggers' streams run their deferred callbacks, as they would
// in any application that does not log 100,000 lines without ever yielding.
const CHUNK = 1_000;
const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));
const request = tracer.startEntrySpan('GET:/orders');
let heapBefore = 0;
await tracer.withSpan(request, async () => {
  for (let i = 0; i < LINES; i += 1) {
    if (i % CHUNK === 0) {
      await yieldToLoop();
      if (i === LINES / 10) heapBefore = heapAfterGc();
    }
    source = MODE === 'pino' || (MODE === 'both' && i % 2 === 0) ? 'pino' : 'winston';
    if (source === 'pino') {
      pinoLogger.info({ order: i }, 'order accepted');
    } else {
      winstonLogger.info('order accepted', { order: i });
    }
  }
  await yieldToLoop();
});
request.end();
const heapAfter = heapAfterGc();
stopPino();
stopWinston();
closeSync(devNull);

process.stdout.write(
  JSON.stringify({
    lines: LINES,
    reporter: reporter.stats(),
    queue: queue.stats(),
    notQueued,
    diagnosticLines,
    pinoLines,
    winstonLines,
    depths,
    heapGrowth: heapAfter - heapBefore,
  }),
);
