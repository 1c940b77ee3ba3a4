import { type LogData } from '@windsock/protocol';
import { describe, expect, it } from 'vitest';
import { isAgentRunning, runAsAgent } from '../diagnostics/agent-guard.js';
import { createTracer } from '../tracing/tracer.js';
import { type Sink } from '../sink.js';
import { createLogger, type LoggerOptions } from './logger.js';

function setup(options: Partial<LoggerOptions> = {}, sampleRate = 1) {
  const records: LogData[] = [];
  const guardSeen: boolean[] = [];
  const sink: Sink = {
    segment() {},
    meters() {},
    log(record) {
      guardSeen.push(isAgentRunning());
      records.push(record);
    },
  };
  const tracer = createTracer({
    serviceName: 'orders',
    serviceInstance: 'orders-1',
    sink,
    sampleRate,
    now: () => 1_700_000_000_123,
  });
  const logger = createLogger({ tracer, sink, ...options });
  return { tracer, logger, records, guardSeen };
}

const tag = (record: LogData | undefined, key: string) =>
  record?.tags?.data.find((pair) => pair.key === key)?.value;

describe('Logger', () => {
  it('reports a record with service, level, logger and attribute tags outside any span', () => {
    const { logger, records } = setup();
    logger.info('order accepted', { orderId: 42, vip: true, skipped: undefined });
    expect(records).toEqual([
      {
        timestamp: 1_700_000_000_123,
        service: 'orders',
        serviceInstance: 'orders-1',
        endpoint: '',
        body: { type: 'text', text: { text: 'order accepted' } },
        traceContext: undefined,
        tags: {
          data: [
            { key: 'level', value: 'INFO' },
            { key: 'logger', value: 'windsock' },
            { key: 'orderId', value: '42' },
            { key: 'vip', value: 'true' },
          ],
        },
        layer: '',
      },
    ]);
  });

  it('carries the trace context and endpoint of the active span', () => {
    const { tracer, logger, records } = setup();
    const entry = tracer.startEntrySpan('GET:/orders');
    let exitSpanId = -1;
    tracer.withSpan(entry, () => {
      logger.warn('in entry');
      const exit = tracer.startExitSpan('/stock', 'stock:80');
      exitSpanId = exit.spanId;
      tracer.withSpan(exit, () => logger.error('in exit'));
      exit.end();
    });
    entry.end();
    logger.debug('after');
    expect(records.map((r) => [r.endpoint, r.traceContext, tag(r, 'level')])).toEqual([
      [
        'GET:/orders',
        { traceId: entry.traceId, traceSegmentId: entry.segmentId, spanId: 0 },
        'WARN',
      ],
      [
        'GET:/orders',
        { traceId: entry.traceId, traceSegmentId: entry.segmentId, spanId: exitSpanId },
        'ERROR',
      ],
      ['', undefined, 'DEBUG'],
    ]);
    expect(exitSpanId).toBe(1);
  });

  it('leaves the trace context out of records in unsampled traces', () => {
    const { tracer, logger, records } = setup({}, 0);
    const entry = tracer.startEntrySpan('GET:/quiet');
    tracer.withSpan(entry, () => logger.info('x'));
    expect(records[0]!.traceContext).toBeUndefined();
    expect(records[0]!.endpoint).toBe('GET:/quiet');
  });

  it('reports objects as JSON bodies, and other values as text', () => {
    const { logger, records } = setup();
    logger.log('info', { event: 'login', user: 'ada' });
    logger.log('error', new Error('boom'));
    expect(records[0]!.body).toEqual({
      type: 'json',
      json: { json: '{"event":"login","user":"ada"}' },
    });
    expect(records[1]!.body).toEqual({ type: 'text', text: { text: 'Error: boom' } });
  });

  it('rejects bad caps in one OptionsError instead of falling back to the defaults', () => {
    expect(() => setup({ maxMessageLength: 0, maxAttributeLength: Number.NaN })).toThrow(
      'windsock core: invalid options (2 problems):\n' +
        '  - maxMessageLength = 0: expected an integer ≥ 1\n' +
        '  - maxAttributeLength = NaN: expected an integer ≥ 1',
    );
  });

  it('caps messages and attribute values and counts each cut', () => {
    const { logger, records } = setup({ maxMessageLength: 5, maxAttributeLength: 3 });
    logger.info('abcdefgh', { short: 'ab', long: 'abcdef' });
    logger.info({ a: 'long enough to be cut' });
    expect(records[0]!.body!.text!.text).toBe('abcde');
    expect(tag(records[0], 'short')).toBe('ab');
    expect(tag(records[0], 'long')).toBe('abc');
    // A cut JSON document would not parse: it is reported as cut text.
    expect(records[1]!.body).toEqual({ type: 'text', text: { text: '{"a":' } });
    expect(logger.stats().truncated).toBe(3);
  });

  it('does not report what is logged while agent code runs (the feedback-loop guard)', () => {
    const { logger, records } = setup();
    runAsAgent(() => logger.warn('reach max log send buffer'));
    expect(records).toEqual([]);
    expect(logger.stats()).toEqual({ produced: 0, suppressed: 1, truncated: 0, sinkErrors: 0 });
  });

  it('calls the sink as agent code, so a sink that logs cannot loop', () => {
    const records: LogData[] = [];
    const holder: { logger?: ReturnType<typeof createLogger> } = {};
    const sink: Sink = {
      segment() {},
      meters() {},
      log(record) {
        records.push(record);
        // What the Go agent did: report "buffer full" through the logger it instruments.
        holder.logger?.warn('reach max log send buffer');
      },
    };
    const logger = createLogger({ sink, serviceName: 's', serviceInstance: 'i' });
    holder.logger = logger;
    logger.info('one');
    logger.info('two');
    expect(records).toHaveLength(2);
    expect(logger.stats()).toMatchObject({ produced: 2, suppressed: 2 });
  });

  it('keeps a throwing sink and throwing attributes away from the caller, counted', () => {
    const sink: Sink = {
      segment() {},
      meters() {},
      log() {
        throw new Error('queue exploded');
      },
    };
    const logger = createLogger({ sink, serviceName: 's', serviceInstance: 'i' });
    const hostile = Object.defineProperty({}, 'bad', {
      enumerable: true,
      get() {
        throw new Error('getter');
      },
    });
    expect(() => logger.info('x')).not.toThrow();
    expect(() => logger.info('y', hostile)).not.toThrow();
    expect(logger.stats()).toMatchObject({ produced: 1, sinkErrors: 2 });
    expect(isAgentRunning()).toBe(false);
  });

  it('takes service, instance and clock from the tracer unless given', () => {
    const { logger, records } = setup({ serviceName: 'other', now: () => 5 });
    logger.info('x');
    expect(records[0]).toMatchObject({
      service: 'other',
      serviceInstance: 'orders-1',
      timestamp: 5,
    });
  });
});
