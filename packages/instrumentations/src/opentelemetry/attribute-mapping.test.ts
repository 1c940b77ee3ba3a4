// The bridge's mapping of OpenTelemetry spans to OAP's: layers, components, tags, peers, errors and span types.
import type * as Otel from '@opentelemetry/api';
import { SpanLayer, SpanType } from '@windsock/protocol';
import { describe, expect, it } from 'vitest';
import { byName, logged, useBridge } from '../../test/helpers/opentelemetry.js';
import { tagOf, tagsOf } from '../../test/helpers/tracing.js';
import { MAX_ATTRIBUTE_TAGS } from './attributes.js';

describe('opentelemetry bridge: attributes, status and kinds to OAP', () => {
  const bridge = useBridge();

  it('maps messaging, rpc and http attributes to OAP layers, tags, peers and operation names', async () => {
    const root = bridge.otelTracer.startSpan('root');
    bridge.api.context.with(bridge.api.trace.setSpan(bridge.api.context.active(), root), () => {
      bridge.otelTracer
        .startSpan('orders publish', {
          kind: bridge.api.SpanKind.PRODUCER,
          attributes: {
            'messaging.system': 'rabbitmq',
            'messaging.destination.name': 'orders',
            'server.address': 'mq.local',
            'server.port': 5672,
          },
        })
        .end();
      bridge.otelTracer
        .startSpan('shop.Orders/Get', {
          kind: bridge.api.SpanKind.CLIENT,
          attributes: { 'rpc.system': 'grpc', 'rpc.method': 'Get', 'server.address': 'rpc.local' },
        })
        .end();
      const request = bridge.otelTracer.startSpan('request', {
        attributes: { 'http.request.method': 'GET', 'url.full': 'http://x/users/7' },
      });
      request.setAttribute('http.route', '/users/:id');
      request.setAttribute('http.response.status_code', 200);
      request.end();
      bridge.otelTracer
        .startSpan('SELECT', {
          attributes: { 'db.system': 'mysql', 'db.statement': `SELECT ${'x, '.repeat(40)}y` },
        })
        .end();
      bridge.otelTracer
        .startSpan('late SELECT')
        .setAttribute('db.query.text', `SELECT ${'x, '.repeat(40)}y`)
        .end();
      const chatty = bridge.otelTracer.startSpan('chatty');
      for (let i = 0; i < MAX_ATTRIBUTE_TAGS + 10; i++)
        chatty.setAttribute(`custom.${i}`, [i, i + 1]);
      chatty.end();
    });
    root.end();
    const segment = await bridge.oneSegment();
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
    const root = bridge.otelTracer.startSpan('root');
    bridge.api.context.with(bridge.api.trace.setSpan(bridge.api.context.active(), root), () => {
      const failed = bridge.otelTracer.startSpan('status only');
      failed.setStatus({ code: bridge.api.SpanStatusCode.ERROR, message: 'quota exceeded' });
      failed.end();
      const thrown = bridge.otelTracer.startSpan('exception');
      thrown.setStatus({ code: bridge.api.SpanStatusCode.ERROR, message: 'boom' });
      thrown.recordException(new TypeError('boom'));
      thrown.end();
      const fine = bridge.otelTracer.startSpan('fine');
      fine.setStatus({ code: bridge.api.SpanStatusCode.OK });
      fine.addEvent('cache miss', { key: 'k1' });
      fine.end();
    });
    root.end();
    const segment = await bridge.oneSegment();
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
    const consumer = bridge.otelTracer.startSpan('orders process', {
      kind: bridge.api.SpanKind.CONSUMER,
      attributes: { 'messaging.system': 'kafka', 'messaging.destination.name': 'orders' },
    });
    bridge.api.context.with(bridge.api.trace.setSpan(bridge.api.context.active(), consumer), () => {
      bridge.otelTracer.startSpan('store order').end();
    });
    consumer.end();
    const segment = await bridge.oneSegment();
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
    const root = bridge.otelTracer.startSpan('root');
    let inside: Otel.Span | undefined;
    bridge.api.context.with(bridge.api.trace.setSpan(bridge.api.context.active(), root), () => {
      const span = bridge.otelTracer.startSpan('hostile', {
        kind: bridge.api.SpanKind.CLIENT,
        attributes: hostile,
      });
      expect(span.isRecording()).toBe(false);
      span.end();
      expect(bridge.otelTracer.startSpan(unnamed).isRecording()).toBe(false);
      bridge.otelTracer.startActiveSpan(unnamed, (span) => {
        inside = span;
        span.end();
      });
    });
    root.end();
    expect(inside?.isRecording()).toBe(false);
    expect((await bridge.oneSegment()).spans.map((s) => s.operationName)).toEqual(['root']);
  });
});
