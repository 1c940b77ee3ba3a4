import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { suppressTracing } from '@windsock/core';
import {
  ComponentId,
  RefType,
  type SegmentObject,
  type SpanObject,
  SpanLayer,
  SpanType,
} from '@windsock/protocol';
import { type RabbitMqServer, startRabbitMq } from '@windsock/test-servers';
import type * as Amqp from 'amqplib';
import type * as AmqpCallbacks from 'amqplib/callback_api.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { unwrapped } from '../hooks/wrap.js';
import { type FixtureRun, nodeBinary, runFixture } from '../../test/helpers/fixture.js';
import { tagOf, tagsOf, tracingHarness } from '../../test/helpers/tracing.js';
import { amqplibInstrumentation } from './index.js';

// amqplib is required only after the instrumentation is enabled, as under `node -r windsock/register`; every test
// talks to a real RabbitMQ broker started for this file.
const require = createRequire(import.meta.url);
const harness = tracingHarness();
const { tracer, sink } = harness;

let broker: RabbitMqServer;
let undo: (() => void) | undefined;
let amqp: typeof Amqp;
let amqpCallbacks: typeof AmqpCallbacks;
let connection: Amqp.ChannelModel;
let peer: string;
const opened: { close(): unknown }[] = [];

beforeAll(async () => {
  broker = await startRabbitMq();
  peer = `127.0.0.1:${broker.port}`;
  undo = amqplibInstrumentation.enable(harness.context);
  amqp = require('amqplib') as typeof Amqp;
  amqpCallbacks = require('amqplib/callback_api') as typeof AmqpCallbacks;
  connection = await amqp.connect(broker.url);
  opened.push(connection);
}, 90_000);

afterAll(async () => {
  for (const c of opened.reverse()) {
    try {
      await c.close();
    } catch {
      // Already closed with the broker.
    }
  }
  undo?.();
  await broker?.stop();
}, 60_000);

let queues = 0;
/** A fresh queue name per test, so one test's leftovers never reach another's consumer. */
function queueName(label: string): string {
  queues += 1;
  return `windsock-${label}-${queues}`;
}

interface Found {
  span: SpanObject;
  segment: SegmentObject;
}

function spansNamed(name: string): Found[] {
  return sink.segments.flatMap((segment) =>
    segment.spans.filter((s) => s.operationName === name).map((span) => ({ span, segment })),
  );
}

async function waitForSpans(name: string, count: number): Promise<Found[]> {
  return vi.waitFor(() => {
    const found = spansNamed(name);
    expect(found).toHaveLength(count);
    return found;
  });
}

const producerName = (exchange: string, key: string) =>
  `RabbitMQ/Topic/${exchange}Queue/${key}/Producer`;
const consumerName = (exchange: string, key: string) =>
  `RabbitMQ/Topic/${exchange}Queue/${key}/Consumer`;

function errorLogs(span: SpanObject): Record<string, string>[] {
  return span.logs
    .map((log) => Object.fromEntries(log.data.map((d) => [d.key, d.value])))
    .filter((fields) => fields.event === 'error');
}

/** The consumer's entry span continues the producer's exit span: same trace, a cross-process reference to it. */
function expectJoined(producer: Found, consumer: Found): void {
  expect(consumer.segment.traceId).toBe(producer.segment.traceId);
  expect(consumer.segment.traceSegmentId).not.toBe(producer.segment.traceSegmentId);
  expect(consumer.span.parentSpanId).toBe(-1);
  expect(consumer.span.refs).toEqual([
    expect.objectContaining({
      refType: RefType.CrossProcess,
      traceId: producer.segment.traceId,
      parentTraceSegmentId: producer.segment.traceSegmentId,
      parentSpanId: producer.span.spanId,
      networkAddressUsedAtPeer: peer,
    }),
  ]);
}

describe('amqplib promise API', () => {
  it('joins sendToQueue and consume into one trace, with the MQ layer, components and tags', async () => {
    const channel = await connection.createChannel();
    const queue = queueName('basic');
    await channel.assertQueue(queue, { autoDelete: true });
    const received: Amqp.ConsumeMessage[] = [];
    await channel.consume(queue, (message) => {
      if (message === null) return;
      received.push(message);
      channel.ack(message);
    });
    const appHeaders = { 'x-app': 'kept', nested: 'also' };
    const options: Amqp.Options.Publish = { headers: appHeaders, persistent: true };
    const job = tracer.startLocalSpan('job');
    const written = tracer.withSpan(job, () =>
      channel.sendToQueue(queue, Buffer.from('hello'), options),
    );
    job.end();

    expect(written).toBe(true);
    const [producer] = await waitForSpans(producerName('', queue), 1);
    const [consumer] = await waitForSpans(consumerName('', queue), 1);
    // The producer span is the job's child; the message's headers are the application's plus the sw8 keys.
    expect(producer!.span).toMatchObject({
      spanType: SpanType.Exit,
      spanLayer: SpanLayer.MQ,
      componentId: ComponentId.RabbitMQProducer,
      peer,
      parentSpanId: 0,
      isError: false,
    });
    expect(tagsOf(producer!.span)).toEqual({ 'mq.broker': peer, 'mq.queue': queue });
    expect(consumer!.span).toMatchObject({
      spanType: SpanType.Entry,
      spanLayer: SpanLayer.MQ,
      componentId: ComponentId.RabbitMQConsumer,
      peer,
      isError: false,
    });
    expect(tagOf(consumer!.span, 'mq.broker')).toBe(peer);
    expect(tagOf(consumer!.span, 'mq.queue')).toBe(queue);
    expect(tagOf(consumer!.span, 'mq.topic')).toBeUndefined();
    expect(Number(tagOf(consumer!.span, 'transmission.latency'))).toBeGreaterThanOrEqual(0);
    expect(tagOf(consumer!.span, 'transmission.latency')).toMatch(/^\d+$/);
    expectJoined(producer!, consumer!);

    expect(received).toHaveLength(1);
    const headers = received[0]!.properties.headers!;
    expect(Object.keys(headers).sort()).toEqual(['nested', 'sw8', 'sw8-x', 'x-app']);
    expect(headers['x-app']).toBe('kept');
    expect(headers['sw8-x']).toMatch(/^0-\d+$/);
    expect(received[0]!.properties.deliveryMode).toBe(2);
    // The application's options and headers objects are untouched.
    expect(options).toEqual({ headers: { 'x-app': 'kept', nested: 'also' }, persistent: true });
    expect(Object.keys(appHeaders)).toEqual(['x-app', 'nested']);
    await channel.close();
  });

  it('names an exchange publish by exchange and routing key on both sides', async () => {
    const channel = await connection.createChannel();
    const exchange = `windsock-orders-${queues}`;
    const queue = queueName('orders');
    await channel.assertExchange(exchange, 'topic', { autoDelete: true });
    await channel.assertQueue(queue, { autoDelete: true });
    await channel.bindQueue(queue, exchange, 'order.*');
    await channel.consume(queue, (message) => message && channel.ack(message));
    channel.publish(exchange, 'order.created', Buffer.from('{}'));

    const [producer] = await waitForSpans(producerName(exchange, 'order.created'), 1);
    const [consumer] = await waitForSpans(consumerName(exchange, 'order.created'), 1);
    for (const found of [producer!, consumer!]) {
      expect(tagsOf(found.span)).toMatchObject({
        'mq.broker': peer,
        'mq.topic': exchange,
        'mq.queue': 'order.created',
      });
    }
    expectJoined(producer!, consumer!);
    await channel.close();
  });

  it('replaces a forwarded sw8 with its own when a consumer republishes a message, headers frozen or not', async () => {
    const channel = await connection.createChannel();
    const first = queueName('first-hop');
    const second = queueName('second-hop');
    await channel.assertQueue(first, { autoDelete: true });
    await channel.assertQueue(second, { autoDelete: true });
    const forwarded: Record<string, unknown>[] = [];
    const firstSw8: unknown[] = [];
    await channel.consume(first, (message) => {
      if (message === null) return;
      firstSw8.push(message.properties.headers?.sw8);
      // The retry pattern: the consumed message's headers go on with the new message, here frozen.
      const headers = Object.freeze({ ...message.properties.headers, 'x-hop': '2' });
      forwarded.push(headers);
      channel.sendToQueue(second, message.content, { headers });
      channel.ack(message);
    });
    const received: Amqp.ConsumeMessage[] = [];
    await channel.consume(second, (message) => {
      if (message === null) return;
      received.push(message);
      channel.ack(message);
    });
    channel.sendToQueue(first, Buffer.from('hop'));

    const [firstProducer] = await waitForSpans(producerName('', first), 1);
    const [firstConsumer] = await waitForSpans(consumerName('', first), 1);
    const [secondProducer] = await waitForSpans(producerName('', second), 1);
    const [secondConsumer] = await waitForSpans(consumerName('', second), 1);
    expectJoined(firstProducer!, firstConsumer!);
    // The republish is the first consumer's child, and the second consumer continues it, not the first producer.
    expect(secondProducer!.segment.traceSegmentId).toBe(firstConsumer!.segment.traceSegmentId);
    expect(secondProducer!.span.parentSpanId).toBe(firstConsumer!.span.spanId);
    expectJoined(secondProducer!, secondConsumer!);
    // The application's frozen object still holds the first message's sw8; the new message carries the republish's.
    expect(forwarded[0]!.sw8).toBe(firstSw8[0]);
    expect(received[0]!.properties.headers!.sw8).not.toBe(firstSw8[0]);
    expect(received[0]!.properties.headers!['x-hop']).toBe('2');
    await channel.close();
  });

  it('records one span per delivery when a nacked message is redelivered, each joined to the producer', async () => {
    const channel = await connection.createChannel();
    const queue = queueName('nack');
    await channel.assertQueue(queue, { autoDelete: true });
    const redelivered: boolean[] = [];
    await channel.consume(queue, (message) => {
      if (message === null) return;
      redelivered.push(message.fields.redelivered);
      if (message.fields.redelivered) channel.ack(message);
      else channel.nack(message);
    });
    channel.sendToQueue(queue, Buffer.from('retry me'));

    const [producer] = await waitForSpans(producerName('', queue), 1);
    const deliveries = await waitForSpans(consumerName('', queue), 2);
    expect(redelivered).toEqual([false, true]);
    for (const delivery of deliveries) expectJoined(producer!, delivery);
    expect(deliveries[0]!.segment.traceSegmentId).not.toBe(deliveries[1]!.segment.traceSegmentId);
    const [nacked, acked] = deliveries;
    expect(nacked!.span.isError).toBe(true);
    expect(errorLogs(nacked!.span)).toEqual([
      { event: 'error', message: 'nack: message requeued' },
    ]);
    expect(acked!.span.isError).toBe(false);
    await channel.close();
  });

  it('keeps the span of an async handler open until it acks, with its work as children', async () => {
    const channel = await connection.createChannel();
    const queue = queueName('async');
    await channel.assertQueue(queue, { autoDelete: true });
    // An async handler: amqplib ignores the promise it returns, the ack ends the delivery.
    const handle = async (message: Amqp.ConsumeMessage) => {
      await new Promise((resolve) => setImmediate(resolve));
      const work = tracer.startLocalSpan('work');
      await new Promise((resolve) => setImmediate(resolve));
      work.end();
      channel.ack(message);
    };
    await channel.consume(queue, (message) => message && void handle(message));
    channel.sendToQueue(queue, Buffer.from('async'));

    const [consumer] = await waitForSpans(consumerName('', queue), 1);
    const work = consumer!.segment.spans.find((s) => s.operationName === 'work');
    // Same segment: the entry span was still open when the work ran and ended.
    expect(work).toMatchObject({ parentSpanId: consumer!.span.spanId, spanType: SpanType.Local });
    expect(consumer!.span.endTime).toBeGreaterThanOrEqual(work!.endTime);
    await channel.close();
  });

  it('ends a noAck delivery when the handler returns, and a handler that throws as an error', async () => {
    const channel = await connection.createChannel();
    const queue = queueName('noack');
    await channel.assertQueue(queue, { autoDelete: true });
    await channel.consume(queue, () => undefined, { noAck: true });
    channel.sendToQueue(queue, Buffer.from('fire and forget'));
    const [delivery] = await waitForSpans(consumerName('', queue), 1);
    expect(delivery!.span.isError).toBe(false);

    // amqplib closes a channel whose handler throws and emits the error on it: the application sees exactly that.
    const failing = await connection.createChannel();
    const channelErrors: Error[] = [];
    failing.on('error', (error: Error) => channelErrors.push(error));
    const queue2 = queueName('throws');
    await failing.assertQueue(queue2, { autoDelete: false });
    const thrown = new Error('handler failed');
    await failing.consume(queue2, () => {
      throw thrown;
    });
    channel.sendToQueue(queue2, Buffer.from('boom'));
    const [failed] = await waitForSpans(consumerName('', queue2), 1);
    expect(failed!.span.isError).toBe(true);
    expect(errorLogs(failed!.span)).toEqual([
      expect.objectContaining({ 'error.kind': 'Error', message: 'handler failed' }),
    ]);
    await vi.waitFor(() => expect(channelErrors).toEqual([thrown]));
    await channel.deleteQueue(queue2);
    await channel.close();
  });

  it('gives each of 100 interleaved messages its own consumer span, joined to its own producer', async () => {
    const channel = await connection.createChannel();
    await channel.prefetch(20);
    const queue = queueName('many');
    await channel.assertQueue(queue, { autoDelete: true });
    const seenBy = new Map<string, string>();
    const handle = async (message: Amqp.ConsumeMessage) => {
      const id = message.content.toString();
      // Interleave: up to 20 handlers are in flight, each resuming after a different number of turns.
      for (let turn = Number(id) % 7; turn > 0; turn--) {
        await new Promise((resolve) => setImmediate(resolve));
      }
      const child = tracer.startLocalSpan(`handle ${id}`);
      seenBy.set(id, tracer.activeEntrySpan()?.traceId ?? '');
      child.end();
      channel.ack(message);
    };
    await channel.consume(queue, (message) => message && void handle(message));
    const traceOf = new Map<string, string>();
    for (let i = 0; i < 100; i++) {
      const root = tracer.startLocalSpan(`send ${i}`);
      tracer.withSpan(root, () => channel.sendToQueue(queue, Buffer.from(String(i))));
      traceOf.set(String(i), root.traceId);
      root.end();
    }
    const consumers = await waitForSpans(consumerName('', queue), 100);
    const producers = spansNamed(producerName('', queue));
    expect(producers).toHaveLength(100);
    expect(new Set(producers.map((p) => p.segment.traceId)).size).toBe(100);
    for (const consumer of consumers) {
      const handled = consumer.segment.spans.filter((s) => s.operationName.startsWith('handle '));
      expect(handled).toHaveLength(1);
      const id = handled[0]!.operationName.slice('handle '.length);
      expect(consumer.segment.traceId).toBe(traceOf.get(id));
      expect(seenBy.get(id)).toBe(traceOf.get(id));
      const producer = producers.find((p) => p.segment.traceId === traceOf.get(id))!;
      expectJoined(producer, consumer);
    }
    await channel.close();
  });

  it('records a get that returns a message as a consumer span joined to the producer, and nothing for an empty queue', async () => {
    const channel = await connection.createChannel();
    const queue = queueName('get');
    await channel.assertQueue(queue, { autoDelete: false });
    expect(await channel.get(queue)).toBe(false);
    channel.sendToQueue(queue, Buffer.from('pull me'));
    const [producer] = await waitForSpans(producerName('', queue), 1);
    const message = await vi.waitFor(async () => {
      const got = await channel.get(queue, { noAck: true });
      expect(got).not.toBe(false);
      return got as Amqp.GetMessage;
    });
    expect(message.content.toString()).toBe('pull me');
    const [consumer] = await waitForSpans(consumerName('', queue), 1);
    expectJoined(producer!, consumer!);
    expect(consumer!.span).toMatchObject({
      spanLayer: SpanLayer.MQ,
      componentId: ComponentId.RabbitMQConsumer,
    });
    expect(tagOf(consumer!.span, 'transmission.latency')).toMatch(/^\d+$/);
    await channel.deleteQueue(queue);
    await channel.close();
  });

  it('starts a new trace for a message without sw8, its latency from the timestamp property', async () => {
    const channel = await connection.createChannel();
    const queue = queueName('plain');
    await channel.assertQueue(queue, { autoDelete: true });
    const kept: Amqp.ConsumeMessage[] = [];
    // The connection's context is the boot span: deliveries must not join it.
    const boot = tracer.startLocalSpan('boot');
    await tracer.withSpan(boot, () =>
      channel.consume(queue, (message) => {
        if (message === null) return;
        kept.push(message);
        channel.ack(message);
      }),
    );
    boot.end();
    const sentSeconds = Math.floor(Date.now() / 1000) - 2;
    const sentMs = Date.now() - 1500;
    // A publish the agent does not trace, as from an application without it.
    suppressTracing(() => {
      channel.sendToQueue(queue, Buffer.from('a'), { timestamp: sentSeconds });
      channel.sendToQueue(queue, Buffer.from('b'), { timestamp: sentMs });
      channel.sendToQueue(queue, Buffer.from('c'));
    });
    const consumers = await waitForSpans(consumerName('', queue), 3);
    expect(spansNamed(producerName('', queue))).toHaveLength(0);
    expect(kept.map((m) => m.properties.headers)).toEqual([{}, {}, {}]);
    const traces = new Set(consumers.map((c) => c.segment.traceId));
    expect(traces.size).toBe(3);
    expect(traces.has(boot.traceId)).toBe(false);
    for (const consumer of consumers) expect(consumer.span.refs).toEqual([]);
    const [seconds, millis, none] = consumers.map((c) => tagOf(c.span, 'transmission.latency'));
    expect(Number(seconds)).toBeGreaterThanOrEqual(2000);
    expect(Number(millis)).toBeGreaterThanOrEqual(1500);
    expect(none).toBeUndefined();
    await channel.close();
  });

  it('runs confirm callbacks in the publisher context and traces publishes on confirm channels once', async () => {
    const channel = await connection.createConfirmChannel();
    const queue = queueName('confirm');
    await channel.assertQueue(queue, { autoDelete: true });
    const job = tracer.startLocalSpan('confirming job');
    const confirmedIn = await tracer.withSpan(
      job,
      () =>
        new Promise<string | undefined>((resolve, reject) => {
          channel.sendToQueue(queue, Buffer.from('x'), {}, (error) =>
            error ? reject(error as Error) : resolve(tracer.activeSpan()?.traceId),
          );
        }),
    );
    job.end();
    expect(confirmedIn).toBe(job.traceId);
    const [producer] = await waitForSpans(producerName('', queue), 1);
    expect(producer!.segment.traceId).toBe(job.traceId);
    await channel.close();
  });
});

describe('amqplib peers', () => {
  it('names the peer after the host and port the application connected to', async () => {
    const conn = await amqp.connect({
      protocol: 'amqp',
      hostname: 'localhost',
      port: broker.port,
      username: 'guest',
      password: 'guest',
    });
    opened.push(conn);
    const channel = await conn.createChannel();
    const queue = queueName('peer');
    await channel.assertQueue(queue, { autoDelete: true });
    await channel.consume(queue, (message) => message && channel.ack(message));
    channel.sendToQueue(queue, Buffer.from('by name'));
    const [producer] = await waitForSpans(producerName('', queue), 1);
    const [consumer] = await waitForSpans(consumerName('', queue), 1);
    const byName = `localhost:${broker.port}`;
    expect(producer!.span.peer).toBe(byName);
    expect(tagOf(producer!.span, 'mq.broker')).toBe(byName);
    expect(consumer!.span.peer).toBe(byName);
    // OAP files the consumer under the address the producer used, which the reference carries.
    expect(consumer!.span.refs[0]!.networkAddressUsedAtPeer).toBe(byName);
    await channel.close();
  });
});

describe('amqplib callback API', () => {
  it('joins publish and consume, and runs its callbacks in the caller context', async () => {
    const conn = await new Promise<AmqpCallbacks.Connection>((resolve, reject) =>
      amqpCallbacks.connect(broker.url, (error, c) =>
        error ? reject(error as Error) : resolve(c),
      ),
    );
    opened.push(conn);
    const channel = await new Promise<AmqpCallbacks.Channel>((resolve, reject) =>
      conn.createChannel((error, c) => (error ? reject(error as Error) : resolve(c))),
    );
    const queue = queueName('callbacks');
    const job = tracer.startLocalSpan('callback job');
    const inCallback: (string | undefined)[] = [];
    await tracer.withSpan(
      job,
      () =>
        new Promise<void>((resolve, reject) => {
          channel.assertQueue(queue, { autoDelete: true }, (error) => {
            if (error) return reject(error as Error);
            inCallback.push(tracer.activeSpan()?.traceId);
            channel.consume(
              queue,
              (message) => message && channel.ack(message),
              {},
              (consumeError) => {
                if (consumeError) return reject(consumeError as Error);
                inCallback.push(tracer.activeSpan()?.traceId);
                // Published from the callback: the producer span belongs to the job's trace.
                channel.sendToQueue(queue, Buffer.from('cb'));
                resolve();
              },
            );
          });
        }),
    );
    job.end();
    expect(inCallback).toEqual([job.traceId, job.traceId]);
    const [producer] = await waitForSpans(producerName('', queue), 1);
    const [consumer] = await waitForSpans(consumerName('', queue), 1);
    expect(producer!.segment.traceId).toBe(job.traceId);
    expectJoined(producer!, consumer!);

    const empty = await new Promise<unknown>((resolve, reject) =>
      channel.get(queue, {}, (error, message) =>
        error ? reject(error as Error) : resolve(message),
      ),
    );
    expect(empty).toBe(false);

    // A get that returns a message: its callback runs in the caller's context, the span joins the producer.
    const pulled = queueName('callback-get');
    await new Promise<void>((resolve, reject) =>
      channel.assertQueue(pulled, {}, (error) => (error ? reject(error as Error) : resolve())),
    );
    channel.sendToQueue(pulled, Buffer.from('pull'));
    const [sent] = await waitForSpans(producerName('', pulled), 1);
    const poller = tracer.startLocalSpan('poller');
    const got = await tracer.withSpan(poller, () =>
      vi.waitFor(
        () =>
          new Promise<{ message: unknown; trace: string | undefined }>((resolve, reject) =>
            channel.get(pulled, { noAck: true }, (error, message) => {
              if (error) return reject(error as Error);
              if (message === false) return reject(new Error('not yet'));
              resolve({ message, trace: tracer.activeSpan()?.traceId });
            }),
          ),
      ),
    );
    poller.end();
    expect(got.trace).toBe(poller.traceId);
    const [pulledSpan] = await waitForSpans(consumerName('', pulled), 1);
    expectJoined(sent!, pulledSpan!);
    await new Promise((resolve) => channel.deleteQueue(pulled, {}, resolve));
  });
});

const FIXTURES = fileURLToPath(new URL('../../test/fixtures/amqplib/', import.meta.url));

function mqSpans(run: FixtureRun, type: SpanType): Found[] {
  return run.segments.flatMap((segment) =>
    segment.spans
      .filter((s) => s.spanType === type && s.spanLayer === SpanLayer.MQ)
      .map((span) => ({ span, segment })),
  );
}

function expectCleanRun(run: FixtureRun): void {
  // Only errors count: Node 20 prints a warning about the ES module loader's registration under `-r`.
  expect(run.stderr).not.toMatch(/Error|windsock/);
  expect(run.code).toBe(0);
  expect(run.diagnostics).toEqual([]);
}

/** A fixture run's producer and consumer spans, one each, joined into one trace. */
function expectPair(producerRun: FixtureRun, consumerRun: FixtureRun, queue: string): void {
  const producers = mqSpans(producerRun, SpanType.Exit);
  const consumers = mqSpans(consumerRun, SpanType.Entry);
  expect(producers).toHaveLength(1);
  expect(consumers).toHaveLength(1);
  expect(producers[0]!.span).toMatchObject({
    operationName: producerName('', queue),
    componentId: ComponentId.RabbitMQProducer,
    peer,
  });
  expect(consumers[0]!.span).toMatchObject({
    operationName: consumerName('', queue),
    componentId: ComponentId.RabbitMQConsumer,
    peer,
  });
  expect(tagsOf(consumers[0]!.span)).toMatchObject({ 'mq.broker': peer, 'mq.queue': queue });
  expectJoined(producers[0]!, consumers[0]!);
}

describe('amqplib in applications run by node (built package)', () => {
  const env = (queue: string) => ({ AMQP_URL: broker.url, AMQP_QUEUE: queue });

  it.each(['one-process.cjs', 'one-process.mjs'])(
    '%s publishes and consumes in one trace',
    async (file) => {
      const queue = queueName('fixture');
      const run = await runFixture(`${FIXTURES}${file}`, { plugins: ['amqplib'], env: env(queue) });
      expectCleanRun(run);
      expect(run.stdout).toMatch(/^RECEIVED hello from (cjs|esm)$/);
      expectPair(run, run, queue);
    },
  );

  it.each([
    { producer: 'producer.cjs', consumer: 'consumer.mjs' },
    { producer: 'producer.mjs', consumer: 'consumer.cjs' },
  ])('$producer and $consumer in two processes join one trace', async (files) => {
    const queue = queueName('two-processes');
    const setup = await connection.createChannel();
    await setup.assertQueue(queue, { autoDelete: false });
    const [consumerRun, producerRun] = await Promise.all([
      runFixture(`${FIXTURES}${files.consumer}`, { plugins: ['amqplib'], env: env(queue) }),
      runFixture(`${FIXTURES}${files.producer}`, { plugins: ['amqplib'], env: env(queue) }),
    ]);
    await setup.deleteQueue(queue);
    await setup.close();
    expectCleanRun(producerRun);
    expectCleanRun(consumerRun);
    expect(producerRun.stdout).toBe('SENT');
    expect(consumerRun.stdout).toBe('CONSUMING\nRECEIVED hello from the producer');
    expectPair(producerRun, consumerRun, queue);
  });

  describe.each([22, 24, 26])('on Node.js %i', (major) => {
    const node = () => nodeBinary(String(major));

    it.each(['one-process.cjs', 'one-process.mjs'])(
      '%s publishes and consumes in one trace',
      async (file) => {
        const queue = queueName(`node${major}`);
        const run = await runFixture(`${FIXTURES}${file}`, {
          plugins: ['amqplib'],
          env: env(queue),
          node: node(),
        });
        expectCleanRun(run);
        expectPair(run, run, queue);
      },
    );
  });
});

describe('amqplib with the broker down', () => {
  let channel: Amqp.Channel;

  it('records the failed publish as an error span and throws what amqplib throws', async () => {
    const conn = await amqp.connect(broker.url);
    channel = await conn.createChannel();
    const closed = new Promise((resolve) => conn.on('close', resolve));
    conn.on('error', () => undefined);
    await broker.stop();
    await closed;
    const queue = queueName('down');
    let thrown: unknown;
    try {
      channel.sendToQueue(queue, Buffer.from('lost'));
    } catch (error) {
      thrown = error;
    }
    // Without the instrumentation the same call throws the same kind of error.
    let plain: unknown;
    try {
      const prototype = Object.getPrototypeOf(channel) as { publish: Amqp.Channel['publish'] };
      unwrapped(prototype.publish).call(channel, '', queue, Buffer.from('lost'));
    } catch (error) {
      plain = error;
    }
    // The class amqplib exports (its type declarations leave it out).
    const { IllegalOperationError } = amqp as unknown as { IllegalOperationError: typeof Error };
    expect(thrown).toBeInstanceOf(IllegalOperationError);
    expect((thrown as Error).message).toBe((plain as Error).message);
    const [producer] = await waitForSpans(producerName('', queue), 1);
    expect(producer!.span.isError).toBe(true);
    expect(errorLogs(producer!.span)).toEqual([
      expect.objectContaining({
        'error.kind': 'IllegalOperationError',
        message: (thrown as Error).message,
      }),
    ]);
  });

  it('after the undo, restores the channel methods and records nothing more', () => {
    const prototype = Object.getPrototypeOf(channel) as Record<string, unknown>;
    const wrapped = ['publish', 'consume', 'ack', 'nack', 'reject'].map((m) => prototype[m]);
    undo?.();
    undo = undefined;
    ['publish', 'consume', 'ack', 'nack', 'reject'].forEach((method, i) => {
      expect(prototype[method]).toBe(unwrapped(wrapped[i]));
      expect(prototype[method]).not.toBe(wrapped[i]);
    });
    const before = sink.spans().length;
    expect(() => channel.sendToQueue(queueName('undone'), Buffer.from('x'))).toThrow(
      /Channel closed/,
    );
    expect(sink.spans().length).toBe(before);
  });
});
