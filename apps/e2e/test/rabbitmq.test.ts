import { ComponentId, type SpanObject, SpanLayer, SpanType } from '@windsock/protocol';
import { type RabbitMqServer, startRabbitMq } from '@windsock/test-servers';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type AgentApp, startAgentApp, tagOf } from './helpers/agent-app.js';

// A service under the real agent publishes to a real RabbitMQ broker when a request comes in, and a worker in the same
// process consumes the message: OAP must receive the request, the producer span and the consumer span as one trace,
// the MQ pair in the shape its MQ analysis reads (layer MQ, components 52/53, peer, mq.* tags, latency).

let broker: RabbitMqServer;
let app: AgentApp | undefined;

beforeAll(async () => {
  broker = await startRabbitMq();
});

afterAll(async () => {
  await broker?.stop();
});

afterEach(async () => {
  await app?.stop();
  app = undefined;
});

const tags = (span: SpanObject) => Object.fromEntries(span.tags.map((t) => [t.key, t.value]));

describe.each([
  { name: 'CommonJS app, promise API', fixture: 'rabbitmq/app.cjs', queue: 'e2e-orders-cjs' },
  { name: 'ES module app, callback API', fixture: 'rabbitmq/app.mjs', queue: 'e2e-orders-esm' },
])('amqplib, $name', ({ fixture, queue }) => {
  it('reports the request, the producer span and the consumer span as one trace', async () => {
    app = await startAgentApp(fixture, {
      env: { AMQP_URL: broker.url, AMQP_QUEUE: queue },
    });
    const port = (await app.line(/listening on (\d+)/))[1]!;
    const orders = ['101', '102', '103'];
    for (const id of orders) {
      const response = await fetch(`http://127.0.0.1:${port}/order/${id}`);
      expect(await response.text()).toBe('queued');
    }
    for (const id of orders) await app.line(new RegExp(`consumed ${id}`));

    const peer = `127.0.0.1:${broker.port}`;
    const spans = () => app!.spans();
    const found = await app.collector.waitFor(() => {
      const requests = spans().filter(
        ({ span }) => span.spanType === SpanType.Entry && span.operationName.startsWith('GET:'),
      );
      const producers = spans().filter(
        ({ span }) => span.spanType === SpanType.Exit && span.spanLayer === SpanLayer.MQ,
      );
      const consumers = spans().filter(
        ({ span }) => span.spanType === SpanType.Entry && span.spanLayer === SpanLayer.MQ,
      );
      return (
        requests.length === 3 &&
        producers.length === 3 &&
        consumers.length === 3 && { requests, producers, consumers }
      );
    }, 30_000);

    for (const request of found.requests) {
      const traceId = request.segment.traceId;
      const producer = found.producers.find(({ segment }) => segment.traceId === traceId)!;
      const consumer = found.consumers.find(({ segment }) => segment.traceId === traceId)!;
      // Request entry -> producer exit in the request's segment -> consumer entry in a segment of its own.
      expect(producer.segment.traceSegmentId).toBe(request.segment.traceSegmentId);
      expect(producer.span.parentSpanId).toBe(request.span.spanId);
      expect(producer.span).toMatchObject({
        operationName: `RabbitMQ/Topic/Queue/${queue}/Producer`,
        componentId: ComponentId.RabbitMQProducer,
        peer,
        isError: false,
      });
      expect(tags(producer.span)).toEqual({ 'mq.broker': peer, 'mq.queue': queue });
      expect(consumer.segment.traceSegmentId).not.toBe(producer.segment.traceSegmentId);
      expect(consumer.span).toMatchObject({
        operationName: `RabbitMQ/Topic/Queue/${queue}/Consumer`,
        componentId: ComponentId.RabbitMQConsumer,
        peer,
        parentSpanId: -1,
        isError: false,
      });
      expect(consumer.span.refs).toEqual([
        expect.objectContaining({
          traceId,
          parentTraceSegmentId: producer.segment.traceSegmentId,
          parentSpanId: producer.span.spanId,
          parentEndpoint: request.span.operationName,
          networkAddressUsedAtPeer: peer,
        }),
      ]);
      expect(tagOf(consumer.span, 'mq.broker')).toBe(peer);
      expect(tagOf(consumer.span, 'mq.queue')).toBe(queue);
      expect(tagOf(consumer.span, 'transmission.latency')).toMatch(/^\d+$/);
    }
    // Three requests, three traces: no message joined another's trace.
    expect(new Set(found.consumers.map(({ segment }) => segment.traceId)).size).toBe(3);
  });
});
