import { createRequire } from 'node:module';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { instrumentWinston } from '@windsock/core/winston';
import { SpanType } from '@windsock/protocol';
import type * as Winston from 'winston';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFixture } from '../../test/helpers/fixture.js';
import { tracingHarness } from '../../test/helpers/tracing.js';
import { winstonInstrumentation } from './index.js';

const require = createRequire(import.meta.url);
const MESSAGE = Symbol.for('message');
const fixture = (name: string) =>
  fileURLToPath(new URL(`../../test/fixtures/winston/${name}`, import.meta.url));

const harness = tracingHarness();
let undo: () => void;
let winston: typeof Winston;

beforeAll(() => {
  undo = winstonInstrumentation.enable(harness.context);
  winston = require('winston') as typeof Winston; // loaded after the hook, as under `windsock/register`
});

afterAll(() => undo());

/** A logger printing JSON lines into `lines`: what the application sees of its own output. */
function jsonLogger(format: Winston.Logform.Format = winston.format.json()) {
  const lines: string[] = [];
  const stream = new Writable({
    objectMode: true,
    write(info: Record<symbol, string>, _encoding, done) {
      lines.push(info[MESSAGE] ?? '');
      done();
    },
  });
  const logger = winston.createLogger({
    format,
    transports: [new winston.transports.Stream({ stream })],
  });
  return { logger, lines, stream };
}

function reportedTexts(): (string | undefined)[] {
  return harness.sink.logs.map((log) => log.body?.text?.text);
}

describe('winston instrumentation', () => {
  it('reports a logger created after it was enabled, without the application handing it over', () => {
    harness.sink.clear();
    const { logger, lines } = jsonLogger();
    const span = harness.tracer.startLocalSpan('ship');
    harness.tracer.withSpan(span, () => logger.info('shipped', { carrier: 'dhl' }));
    span.end();

    expect(reportedTexts()).toEqual(['shipped']);
    const [log] = harness.sink.logs;
    expect(log?.traceContext?.traceId).toBe(span.traceId);
    expect(log?.tags?.data).toEqual(
      expect.arrayContaining([
        { key: 'level', value: 'INFO' },
        { key: 'logger', value: 'winston' },
        { key: 'carrier', value: 'dhl' },
      ]),
    );
    // The application's own output carries the correlation fields too.
    expect(JSON.parse(lines[0]!)).toMatchObject({ message: 'shipped', traceId: span.traceId });
  });

  it('sees loggers made by winston.loggers (a Container) and child loggers', () => {
    harness.sink.clear();
    const lines: string[] = [];
    const stream = new Writable({
      objectMode: true,
      write(_info, _encoding, done) {
        lines.push('line');
        done();
      },
    });
    const container = winston.loggers.add('orders', {
      transports: [new winston.transports.Stream({ stream })],
    });
    container.info('from the container');
    container.child({ requestId: 'r-1' }).warn('from a child');
    expect(reportedTexts()).toEqual(['from the container', 'from a child']);
    expect(harness.sink.logs[1]?.tags?.data).toEqual(
      expect.arrayContaining([{ key: 'requestId', value: 'r-1' }]),
    );
    expect(lines).toHaveLength(2);
    winston.loggers.close('orders');
  });

  it('reports a line once when the logger is also handed over, and follows configure() to a new format', () => {
    harness.sink.clear();
    const { logger, lines } = jsonLogger();
    // The application also hands it over (code written for the manual path): still one report per line.
    instrumentWinston(logger, harness.context.logger);
    logger.info('once');
    expect(reportedTexts()).toEqual(['once']);

    // configure() replaces the format (and the transports): lines are still reported, once, in the new format.
    const after: string[] = [];
    logger.configure({
      format: winston.format.printf((info) => `${info.level} ${String(info.message)}`),
      transports: [
        new winston.transports.Stream({
          stream: new Writable({
            objectMode: true,
            write(info: Record<symbol, string>, _encoding, done) {
              after.push(info[MESSAGE] ?? '');
              done();
            },
          }),
        }),
      ],
    });
    logger.warn('reconfigured');
    expect(reportedTexts()).toEqual(['once', 'reconfigured']);
    expect(after).toEqual(['warn reconfigured']);
    expect(lines).toHaveLength(1);
  });

  it('does not report a line winston filters out by level', () => {
    harness.sink.clear();
    const { logger, lines } = jsonLogger();
    logger.debug('below the logger level');
    expect(reportedTexts()).toEqual([]);
    expect(lines).toEqual([]);
  });
});

describe('winston instrumentation, undone and in fixtures', () => {
  it('stops reporting and puts every logger back when undone', () => {
    // The suite's own hook off first, so that this one patches the Logger winston already loaded.
    undo();
    const local = tracingHarness();
    const undoLocal = winstonInstrumentation.enable(local.context);
    const { logger } = jsonLogger();
    const ownFormat = logger.format;
    logger.info('reported');
    expect(local.sink.logs.map((l) => l.body?.text?.text)).toEqual(['reported']);

    undoLocal();
    expect(logger.format).not.toBe(ownFormat); // the application's own format is back
    logger.info('not reported');
    jsonLogger().logger.info('nor from a logger created after');
    expect(local.sink.logs).toHaveLength(1);
    undo = winstonInstrumentation.enable(harness.context);
  });

  it.each(['app.cjs', 'app.mjs'])(
    'reports the lines of %s (winston required or imported) inside its HTTP entry span',
    async (file) => {
      const run = await runFixture(fixture(file), {
        plugins: ['winston'],
        env: { WINDSOCK_TEST_LOGS: '1' },
      });
      expect(run.code, run.stderr).toBe(0);
      const logs = run.stdout
        .split('\n')
        .filter((line) => line.startsWith('LOG '))
        .map((line) => JSON.parse(line.slice(4)) as { text: string; traceId?: string });
      const entry = run.segments.find((s) =>
        s.spans.some((span) => span.spanType === SpanType.Entry),
      );
      expect(entry).toBeDefined();
      expect(logs).toEqual([
        { text: 'default logger line', traceId: entry!.traceId },
        { text: 'handled /work', traceId: entry!.traceId },
      ]);
      // What the application printed carries the trace id as well.
      expect(run.stdout).toContain(`"traceId":"${entry!.traceId}"`);
    },
  );
});
