import { Console } from 'node:console';
import { Writable } from 'node:stream';
import pino from 'pino';
import winston from 'winston';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, runAsAgent, type Logger } from '../src/index.js';
import { captureConsole } from '../src/console.js';
import { instrumentPino, pinoMixin } from '../src/pino.js';
import { instrumentWinston } from '../src/winston.js';
import { tracerWithSink } from './helpers.js';

const disposers: Array<() => void> = [];
afterEach(() => {
  for (const dispose of disposers.splice(0)) dispose();
});

function setup() {
  const { tracer, sink } = tracerWithSink();
  const reporter: Logger = createLogger({ tracer, sink });
  return { tracer, sink, reporter };
}

function lineCollector(): { stream: Writable; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { stream, lines };
}

const tags = (record: { tags?: { data: Array<{ key: string; value: string }> } }) =>
  Object.fromEntries(record.tags!.data.map((pair) => [pair.key, pair.value]));

describe('pino integration (real pino, its tracing:pino_asJson channel)', () => {
  it('reports every line with level, fields and the trace context, and adds correlation fields to the output', () => {
    const { tracer, sink, reporter } = setup();
    disposers.push(instrumentPino(reporter));
    const { stream, lines } = lineCollector();
    const logger = pino({ mixin: pinoMixin }, stream);
    const child = logger.child({ module: 'billing' });

    const entry = tracer.startEntrySpan('GET:/pay');
    tracer.withSpan(entry, () => {
      logger.info({ orderId: 7 }, 'paid');
      child.error(new Error('card declined'));
    });
    entry.end();
    logger.warn('outside');
    logger.debug('below the level: not written, not reported');

    expect(sink.logs).toHaveLength(3);
    const [paid, declined, outside] = sink.logs;
    expect(paid!.body).toEqual({ type: 'text', text: { text: 'paid' } });
    expect(tags(paid!)).toEqual({ level: 'INFO', logger: 'pino', orderId: '7' });
    expect(paid!.traceContext).toEqual({
      traceId: entry.traceId,
      traceSegmentId: entry.segmentId,
      spanId: 0,
    });
    expect(paid!.endpoint).toBe('GET:/pay');
    expect(declined!.body!.text!.text).toBe('card declined');
    expect(tags(declined!)).toMatchObject({ level: 'ERROR', err: 'Error: card declined' });
    expect(outside!.traceContext).toBeUndefined();

    const written = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(written[0]).toMatchObject({
      msg: 'paid',
      traceId: entry.traceId,
      segmentId: entry.segmentId,
      spanId: 0,
    });
    expect(written[2]).not.toHaveProperty('traceId');
  });

  it('does not report lines written while agent code runs, and stops when disposed', () => {
    const { sink, reporter } = setup();
    const stop = instrumentPino(reporter);
    const { stream, lines } = lineCollector();
    const logger = pino(stream);
    runAsAgent(() => logger.warn('[windsock] WARN log-queue-full: reach max log send buffer'));
    stop();
    stop();
    logger.info('after stop');
    expect(lines).toHaveLength(2);
    expect(sink.logs).toHaveLength(0);
    expect(reporter.stats()).toMatchObject({ produced: 0, suppressed: 1 });
  });
});

describe('winston integration (real winston)', () => {
  function winstonLogger() {
    const lines: string[] = [];
    const logger = winston.createLogger({
      level: 'info',
      format: winston.format.combine(winston.format.splat(), winston.format.json()),
      transports: [
        new winston.transports.Stream({
          stream: new Writable({
            objectMode: true,
            write(info: Record<symbol, string>, _encoding, done) {
              lines.push(info[Symbol.for('message')] ?? '');
              done();
            },
          }),
        }),
      ],
    });
    return { logger, lines };
  }

  it('reports only the lines winston outputs: not those below the logger level', () => {
    const { tracer, sink, reporter } = setup();
    const { logger, lines } = winstonLogger(); // level info
    disposers.push(instrumentWinston(logger, reporter));
    tracer.withSpan(tracer.startLocalSpan('job'), () => {
      for (let i = 0; i < 100; i++) logger.debug('noisy %d', i);
      logger.info('kept');
    });
    expect(lines).toHaveLength(1);
    expect(sink.logs.map((r) => r.body!.text!.text)).toEqual(['kept']);
    logger.level = 'debug'; // winston's level can change at run time; the check follows it
    logger.debug('now shown');
    expect(sink.logs.map((r) => r.body!.text!.text)).toEqual(['kept', 'now shown']);
    expect(lines).toHaveLength(2);
  });

  it('reports every record with level, metadata and trace context, and correlates the output', () => {
    const { tracer, sink, reporter } = setup();
    const { logger, lines } = winstonLogger();
    disposers.push(instrumentWinston(logger, reporter));
    const child = logger.child({ requestId: 'r-1' });

    const entry = tracer.startEntrySpan('GET:/ship');
    tracer.withSpan(entry, () => {
      logger.info('shipped %d parcels', 3, { carrier: 'dhl' });
      child.warn('late');
    });
    entry.end();
    logger.error('outside');

    expect(sink.logs.map((r) => r.body!.text!.text)).toEqual([
      'shipped 3 parcels',
      'late',
      'outside',
    ]);
    expect(tags(sink.logs[0]!)).toEqual({ level: 'INFO', logger: 'winston', carrier: 'dhl' });
    expect(tags(sink.logs[1]!)).toEqual({ level: 'WARN', logger: 'winston', requestId: 'r-1' });
    expect(sink.logs[1]!.traceContext).toEqual({
      traceId: entry.traceId,
      traceSegmentId: entry.segmentId,
      spanId: 0,
    });
    expect(sink.logs[2]!.traceContext).toBeUndefined();

    const written = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(written[0]).toMatchObject({
      message: 'shipped 3 parcels',
      traceId: entry.traceId,
      spanId: 0,
    });
    expect(written[2]).not.toHaveProperty('traceId');
  });

  it('keeps a line logged from inside the agent unreported even when winston formats it later', () => {
    const { sink, reporter } = setup();
    const { logger, lines } = winstonLogger();
    disposers.push(instrumentWinston(logger, reporter));
    // A format that logs while winston is writing: winston buffers that line and formats it after this write
    // returns, when the guard is down again. The origin captured at the call must still win.
    const original = sink.log.bind(sink);
    sink.log = (record) => {
      original(record);
      logger.warn('[windsock] WARN log-queue-full: reach max log send buffer');
    };
    logger.info('one');
    logger.info('two');
    expect(lines).toHaveLength(4);
    expect(sink.logs.map((r) => r.body!.text!.text)).toEqual(['one', 'two']);
    expect(reporter.stats()).toMatchObject({ produced: 2, suppressed: 2 });
  });

  it('restores the logger when disposed', () => {
    const { sink, reporter } = setup();
    const { logger } = winstonLogger();
    const format = logger.format;
    const stop = instrumentWinston(logger, reporter);
    expect(logger.format).not.toBe(format);
    stop();
    expect(logger.format).toBe(format);
    expect(Object.prototype.hasOwnProperty.call(logger, 'write')).toBe(false);
    logger.info('not reported');
    expect(sink.logs).toHaveLength(0);
  });
});

describe('console capture (opt-in)', () => {
  it('reports console lines, formatted, with their level, and restores the console', () => {
    const { tracer, sink, reporter } = setup();
    const { stream, lines } = lineCollector();
    const target = new Console({ stdout: stream, stderr: stream });
    const original: unknown = Reflect.get(target, 'warn');
    const stop = captureConsole(reporter, target);
    const entry = tracer.startEntrySpan('GET:/c');
    tracer.withSpan(entry, () => target.log('hello %s', 'world', { n: 1 }));
    target.error('bad');
    runAsAgent(() => target.warn('from the agent'));
    stop();
    target.info('after');
    expect(lines).toHaveLength(4);
    expect(sink.logs.map((r) => [r.body!.text!.text, tags(r).level])).toEqual([
      ['hello world { n: 1 }', 'INFO'],
      ['bad', 'ERROR'],
    ]);
    expect(sink.logs[0]!.traceContext?.traceId).toBe(entry.traceId);
    expect(Reflect.get(target, 'warn')).toBe(original);
  });
});
