// The bridge's mapping of OpenTelemetry spans to OAP's: layers, components, tags, peers, errors and span types.
import type * as Otel from '@opentelemetry/api';
import { type SegmentObject, SpanLayer, SpanType } from '@windsock/protocol';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  byName,
  enableBridge,
  logged,
  oneSegment as onlySegment,
} from '../../test/helpers/opentelemetry.js';
import { tagOf, tagsOf, type TracingHarness } from '../../test/helpers/tracing.js';
import { MAX_ATTRIBUTE_TAGS } from './attributes.js';

describe('opentelemetry bridge: attributes, status and kinds to OAP', () => {
  let harness: TracingHarness;
  let undo: () => void;
  let api: typeof Otel;
  let otelTracer: Otel.Tracer;

  beforeAll(() => ({ harness, undo, api, otelTracer } = enableBridge()));
  afterAll(() => undo());
  beforeEach(() => harness.sink.clear());
  const oneSegment = (): Promise<SegmentObject> => onlySegment(harness);

  it('maps messaging, rpc and http attributes to OAP layers, tags, peers and operation names', async () => {
    const root = otelTracer.startSpan('root');
    api.context.with(api.trace.setSpan(api.context.active(), root), () => {
      otelTracer
        .startSpan('orders publish', {
          kind: api.SpanKind.PRODUCER,
          attributes: {
            'messaging.system': 'rabbitmq',
            'messaging.destination.name': 'orders',
            'server.address': 'mq.local',
            'server.port': 5672,
          },
        })
        .end();
      otelTracer
        .startSpan('shop.Orders/Get', {
          kind: api.SpanKind.CLIENT,
          attributes: { 'rpc.system': 'grpc', 'rpc.method': 'Get', 'server.address': 'rpc.local' },
        })
        .end();
      const request = otelTracer.startSpan('request', {
        attributes: { 'http.request.method': 'GET', 'url.full': 'http://x/users/7' },
      });
      request.setAttribute('http.route', '/users/:id');
      request.setAttribute('http.response.status_code', 200);
      request.end();
      otelTracer
        .startSpan('SELECT', {
          attributes: { 'db.system': 'mysql', 'db.statement': `SELECT ${'x, '.repeat(40)}y` },
        })
        .end();
      otelTracer
        .startSpan('late SELECT')
        .setAttribute('db.query.text', `SELECT ${'x, '.repeat(40)}y`)
        .end();
      const chatty = otelTracer.startSpan('chatty');
      for (let i = 0; i < MAX_ATTRIBUTE_TAGS + 10; i++)
        chatty.setAttribute(`custom.${i}`, [i, i + 1]);
      chatty.end();
    });
    root.end();
    const segment = await oneSegment();
    expect(byName(segment, 'orders publish')).toMatchObject({
      spanType: SpanType.Exit,
      spanLayer: SpanLayer.MQ,
      componentId: 52,
      peer: 'mq.local:5672',
    });
    expect(tagsOf(byName(segment, 'orders publish'))).toMatchObject({
      'mq.queue': 'orders',
      'mq.broker': 'mq.local:5672',
    });
    expect(byName(segment, 'shop.Orders/Get')).toMatchObject({
      spanType: SpanType.Exit,
      spanLayer: SpanLayer.RPCFramework,
      peer: 'rpc.local',
    });
    const request = byName(segment, 'GET:/users/:id');
    expect(request).toMatchObject({ spanType: SpanType.Local, spanLayer: SpanLayer.Http });
    expect(tagsOf(request)).toEqual({
      'http.method': 'GET',
      'http.url': 'http://x/users/7',
      'http.status_code': '200',
    });
    const select = byName(segment, 'SELECT');
    expect(select).toMatchObject({
      spanLayer: SpanLayer.Database,
      componentId: 5,
      spanType: SpanType.Local,
    });
    expect(tagOf(select, 'db.statement')).toHaveLength(40);
    expect(tagOf(byName(segment, 'late SELECT'), 'db.statement')).toHaveLength(40);
    const chatty = byName(segment, 'chatty');
    expect(chatty.tags).toHaveLength(MAX_ATTRIBUTE_TAGS);
    expect(tagOf(chatty, 'custom.0')).toBe('0,1');
  });

  it('turns an ERROR status and recorded exceptions into error spans with logs', async () => {
    const root = otelTracer.startSpan('root');
    api.context.with(api.trace.setSpan(api.context.active(), root), () => {
      const failed = otelTracer.startSpan('status only');
      failed.setStatus({ code: api.SpanStatusCode.ERROR, message: 'quota exceeded' });
      failed.end();
      const thrown = otelTracer.startSpan('exception');
      thrown.setStatus({ code: api.SpanStatusCode.ERROR, message: 'boom' });
      thrown.recordException(new TypeError('boom'));
      thrown.end();
      const fine = otelTracer.startSpan('fine');
      fine.setStatus({ code: api.SpanStatusCode.OK });
      fine.addEvent('cache miss', { key: 'k1' });
      fine.end();
    });
    root.end();
    const segment = await oneSegment();
    const status = byName(segment, 'status only');
    expect(status.isError).toBe(true);
    expect(logged(status, 'message')).toBe('quota exceeded');
    const thrown = byName(segment, 'exception');
    expect(thrown.isError).toBe(true);
    expect(logged(thrown, 'error.kind')).toBe('TypeError');
    expect(logged(thrown, 'stack')).toContain('TypeError: boom');
    const fine = byName(segment, 'fine');
    expect(fine.isError).toBe(false);
    expect(logged(fine, 'event')).toBe('cache miss');
    expect(logged(fine, 'key')).toBe('k1');
  });

  it('opens SERVER and CONSUMER spans outside any windsock span as entry spans of new traces', async () => {
    const consumer = otelTracer.startSpan('orders process', {
      kind: api.SpanKind.CONSUMER,
      attributes: { 'messaging.system': 'kafka', 'messaging.destination.name': 'orders' },
    });
    api.context.with(api.trace.setSpan(api.context.active(), consumer), () => {
      otelTracer.startSpan('store order').end();
    });
    consumer.end();
    const segment = await oneSegment();
    expect(byName(segment, 'orders process')).toMatchObject({
      spanType: SpanType.Entry,
      spanLayer: SpanLayer.MQ,
      parentSpanId: -1,
    });
    expect(byName(segment, 'store order').parentSpanId).toBe(
      byName(segment, 'orders process').spanId,
    );
  });
  it('opens nothing and throws nothing for a name or attributes that throw when read', async () => {
    const hostile = {
      'server.address': 'db.local',
      get 'db.system.name'(): string {
        throw new Error('hostile getter');
      },
    };
    const unnamed = {
      toString(): string {
        throw new Error('hostile name');
      },
    } as unknown as string;
    const root = otelTracer.startSpan('root');
    let inside: Otel.Span | undefined;
    api.context.with(api.trace.setSpan(api.context.active(), root), () => {
      const span = otelTracer.startSpan('hostile', {
        kind: api.SpanKind.CLIENT,
        attributes: hostile,
      });
      expect(span.isRecording()).toBe(false);
      span.end();
      expect(otelTracer.startSpan(unnamed).isRecording()).toBe(false);
      otelTracer.startActiveSpan(unnamed, (span) => {
        inside = span;
        span.end();
      });
    });
    root.end();
    expect(inside?.isRecording()).toBe(false);
    expect((await oneSegment()).spans.map((s) => s.operationName)).toEqual(['root']);
  });
});
