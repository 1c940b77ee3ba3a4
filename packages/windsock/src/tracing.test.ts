// The tracing API for application code, against a real collector: what OAP receives when an application renames
// its endpoint, wraps its own work in spans, fails inside them, and carries a trace over a custom carrier.
import { once } from 'node:events';
import { createServer, get, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startCollector, type Collector } from '@windsock/collector';
import { RefType, SpanType, type SegmentObject, type SpanObject } from '@windsock/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import {
  activeSpan,
  entrySpan,
  start,
  trace,
  traceContext,
  traceEntry,
  traceExit,
  traceId,
  type Agent,
} from './index.js';

let collector: Collector | undefined;
let agent: Agent | undefined;
const servers: Server[] = [];

afterEach(async () => {
  await agent?.shutdown({ timeoutMs: 2_000 });
  agent = undefined;
  for (const server of servers.splice(0)) server.close();
  await collector?.stop();
  collector = undefined;
});

async function startAgent(options: Parameters<typeof start>[0] = {}): Promise<Agent> {
  collector = await startCollector({ port: 0 });
  agent = start({
    serviceName: 'orders',
    serviceInstance: 'orders-1',
    collector: collector.address,
    lingerMs: 10,
    diagnostics: () => {},
    ...options,
  });
  return agent;
}

async function listen(handler: Parameters<typeof createServer>[1]): Promise<number> {
  const server = createServer(handler);
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

function request(url: string): Promise<{ status: number; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    get(url, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
    }).on('error', reject);
  });
}

/** The delivered segment whose first span is `operation` (the test's own HTTP client call has a segment too). */
async function deliveredSegment(operation: string): Promise<SegmentObject> {
  await agent!.flush({ timeoutMs: 5_000 });
  return collector!.waitFor(
    (c) => c.segments().find((s) => s.spans[0]?.operationName === operation) ?? false,
    5_000,
  );
}

function logFields(span: SpanObject): Record<string, string>[] {
  return span.logs.map((log) => Object.fromEntries(log.data.map((kv) => [kv.key, kv.value])));
}

describe('without a running agent', () => {
  it('runs the function as it is and answers undefined, never throwing', async () => {
    expect(activeSpan()).toBeUndefined();
    expect(entrySpan()).toBeUndefined();
    expect(traceId()).toBeUndefined();
    expect(traceContext()).toBeUndefined();

    const result = { total: 3 };
    expect(trace('price', () => result)).toBe(result);
    const promise = Promise.resolve(4);
    expect(trace('load', () => promise)).toBe(promise); // not even wrapped
    const failure = new Error('declined');
    expect(() =>
      trace('charge', () => {
        throw failure;
      }),
    ).toThrow(failure);
    expect(trace('tagged', (span) => span.tag('k', 'v').traceId)).toBe('');

    const carrier: Record<string, string> = {};
    expect(traceExit('send', 'queue:5672', carrier, () => 'sent')).toBe('sent');
    expect(carrier).toEqual({});
    expect(await traceEntry('consume', { sw8: 'garbage' }, () => Promise.resolve('consumed'))).toBe(
      'consumed',
    );
  });
});

describe('with a running agent', () => {
  it('lets a handler rename its entry span, wrap its work in local spans and send its trace id', async () => {
    await startAgent();
    const port = await listen((req, res) => {
      // What a handler without a routing framework does: name the endpoint after its route template.
      entrySpan()?.setOperationName('GET:/orders/{id}');
      activeSpan()?.tag('order.id', req.url!.split('/')[2]);
      const id = traceId();
      if (id !== undefined) res.setHeader('x-trace-id', id);
      void trace('load-order', async (span) => {
        span.tag('source', 'db');
        await trace('price', () => new Promise((resolve) => setImmediate(resolve)));
        return { items: 2 };
      }).then((order) => res.end(JSON.stringify(order)));
    });

    const response = await request(`http://127.0.0.1:${port}/orders/17`);
    expect(response.status).toBe(200);
    const segment = await deliveredSegment('GET:/orders/{id}');
    expect(response.headers['x-trace-id']).toBe(segment.traceId);

    const [entry, load, price] = segment.spans;
    expect(entry).toMatchObject({ operationName: 'GET:/orders/{id}', spanType: SpanType.Entry });
    expect(entry!.tags).toContainEqual({ key: 'order.id', value: '17' });
    expect(load).toMatchObject({
      operationName: 'load-order',
      spanType: SpanType.Local,
      parentSpanId: entry!.spanId,
      isError: false,
    });
    expect(load!.tags).toEqual([{ key: 'source', value: 'db' }]);
    expect(price).toMatchObject({ operationName: 'price', parentSpanId: load!.spanId });
    // The local span ended when its promise settled: after the nested one, before the response.
    expect(load!.endTime).toBeGreaterThanOrEqual(price!.endTime);
    expect(entry!.endTime).toBeGreaterThanOrEqual(load!.endTime);
  });

  it("records an error thrown in traced work as a span log with OAP's error.kind, message and stack", async () => {
    await startAgent();
    const thrown = new RangeError('quantity must be positive');
    let caught: unknown;
    const port = await listen((_req, res) => {
      try {
        trace('validate', () => {
          throw thrown;
        });
      } catch (error) {
        caught = error;
        res.statusCode = 503; // an error response: the entry span fails, with no exception invented for it
        res.end();
      }
    });

    expect((await request(`http://127.0.0.1:${port}/orders`)).status).toBe(503);
    expect(caught).toBe(thrown); // passed through unchanged
    const segment = await deliveredSegment('GET:/orders');
    const [entry, validate] = segment.spans;
    expect(entry!.isError).toBe(true);
    expect(entry!.logs).toEqual([]);
    expect(validate!.isError).toBe(true);
    expect(logFields(validate!)).toEqual([
      {
        event: 'error',
        'error.kind': 'RangeError',
        message: 'quantity must be positive',
        stack: thrown.stack,
      },
    ]);
  });

  it('records a rejection once and caps the stack at errorStackMaxLength', async () => {
    await startAgent({ errorStackMaxLength: 256 });
    const reason = new Error('upstream timed out', { cause: new Error('socket hang up') });
    await expect(
      trace('call-upstream', async (span) => {
        await Promise.resolve();
        span.error(reason); // as a library instrumentation does before the rejection propagates
        throw reason;
      }),
    ).rejects.toBe(reason);
    const segment = await deliveredSegment('call-upstream');
    const logs = logFields(segment.spans[0]!);
    expect(logs).toHaveLength(1);
    expect(logs[0]!.message).toBe('upstream timed out');
    expect(logs[0]!.stack).toHaveLength(256);
    expect(reason.stack!.startsWith(logs[0]!.stack!)).toBe(true);
  });

  it('carries a trace over a custom carrier: traceExit injects, traceEntry extracts', async () => {
    await startAgent();
    const message: { body: string; headers: Record<string, string> } = { body: 'x', headers: {} };
    const queue: (typeof message)[] = [];
    trace('checkout', () =>
      traceExit('queue/orders/send', 'queue:5672', message.headers, () => queue.push(message)),
    );
    expect(Object.keys(message.headers)).toContain('sw8');

    // The consumer happens to run inside another trace: the message still belongs to its sender's.
    let consumedIn: string | undefined;
    await trace('poll', () =>
      traceEntry('queue/orders/consume', queue.shift()!.headers, async () => {
        consumedIn = traceId();
        await trace('handle', () => Promise.resolve('done'));
      }),
    );

    const producer = await deliveredSegment('checkout');
    const consumer = await deliveredSegment('queue/orders/consume');
    const exit = producer.spans.find((s) => s.operationName === 'queue/orders/send')!;
    expect(exit).toMatchObject({ spanType: SpanType.Exit, peer: 'queue:5672' });
    expect(consumer.traceId).toBe(producer.traceId);
    expect(consumedIn).toBe(producer.traceId);
    const entry = consumer.spans[0]!;
    expect(entry.spanType).toBe(SpanType.Entry);
    expect(entry.refs[0]).toMatchObject({
      refType: RefType.CrossProcess,
      parentTraceSegmentId: producer.traceSegmentId,
      parentSpanId: exit.spanId,
      parentEndpoint: 'checkout',
      networkAddressUsedAtPeer: 'queue:5672',
    });
    expect(consumer.spans[1]).toMatchObject({
      operationName: 'handle',
      parentSpanId: entry.spanId,
    });
  });
});
