import { SpanLayer, SpanType } from '@windsock/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { type AgentApp, startAgentApp, tagOf } from './helpers/agent-app.js';

// An app whose own code and @fastify/otel trace through @opentelemetry/api, under the real agent: those spans reach
// the collector inside windsock's segments, with OAP's layers and tags, in one trace with the HTTP spans.
let app: AgentApp | undefined;

afterEach(async () => {
  await app?.stop();
  app = undefined;
});

describe('OpenTelemetry API bridge', () => {
  it('reports OpenTelemetry spans inside windsock segments, one trace with the HTTP spans', async () => {
    app = await startAgentApp('opentelemetry/app.mjs');
    const port = (await app.line(/listening on (\d+)/))[1]!;
    const response = await fetch(`http://127.0.0.1:${port}/orders/7`);
    expect(await response.json()).toEqual({ id: '7', stock: { id: '7', count: 3 } });
    const entries = () => app!.spans().filter(({ span }) => span.spanType === SpanType.Entry);
    await app.collector.waitFor(() => entries().length >= 2, 30_000);

    const spans = app.spans().map(({ span, segment }) => ({ span, segment }));
    const named = (name: string) => spans.find(({ span }) => span.operationName === name);
    const orders = entries().find(({ span }) => span.operationName === 'GET:/orders/:id')!;
    const stock = entries().find(({ span }) => span.operationName === 'GET:/stock/:id')!;
    expect(orders).toBeDefined();
    expect(stock).toBeDefined();
    expect(stock.segment.traceId).toBe(orders.segment.traceId);

    // @fastify/otel's request span (local, under the entry span) and its handler span.
    const inOrders = orders.segment.spans;
    const request = inOrders.find(
      (s) => s.spanType === SpanType.Local && s.operationName === 'GET:/orders/:id',
    )!;
    expect(request.parentSpanId).toBe(orders.span.spanId);
    const handler = inOrders.find((s) => s.operationName.startsWith('handler -'))!;
    expect(handler.parentSpanId).toBe(request.spanId);
    // The app's own spans, the database one as an exit span with OAP's tags.
    const load = named('load order')!.span;
    expect(load.parentSpanId).toBe(handler.spanId);
    const query = named('SELECT orders')!.span;
    expect(query).toMatchObject({
      spanType: SpanType.Exit,
      spanLayer: SpanLayer.Database,
      componentId: 22,
      peer: 'db.local:5432',
      parentSpanId: load.spanId,
    });
    expect(tagOf(query, 'db.type')).toBe('postgresql');
    expect(tagOf(query, 'db.statement')).toBe('SELECT * FROM orders WHERE id = $1');
    // windsock's fetch exit span inside the app's OpenTelemetry span, and the callee continues it.
    const call = inOrders.find(
      (s) => s.spanType === SpanType.Exit && s.spanLayer === SpanLayer.Http,
    )!;
    expect(call.parentSpanId).toBe(load.spanId);
    expect(stock.span.refs[0]).toMatchObject({
      parentTraceSegmentId: orders.segment.traceSegmentId,
      parentSpanId: call.spanId,
    });
  });
});
