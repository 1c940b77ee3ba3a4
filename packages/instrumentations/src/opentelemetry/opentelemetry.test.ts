import { EventEmitter } from 'node:events';
import http, { type Server } from 'node:http';
import { createRequire } from 'node:module';
import { type AddressInfo } from 'node:net';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type * as Otel from '@opentelemetry/api';
import type * as FastifyOtel from '@fastify/otel';
import { type SegmentObject, SpanLayer, SpanType, type SpanObject } from '@windsock/protocol';
import type Fastify from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { runFixture } from '../../test/helpers/fixture.js';
import { tagOf, tagsOf, tracingHarness, type TracingHarness } from '../../test/helpers/tracing.js';
import { MAX_ATTRIBUTE_TAGS } from './attributes.js';
import { opentelemetryInstrumentation } from './index.js';

const require = createRequire(import.meta.url);
const fixture = (name: string): string =>
  fileURLToPath(new URL(`../../test/fixtures/opentelemetry/${name}`, import.meta.url));

function logged(span: SpanObject, key: string): string | undefined {
  return span.logs.flatMap((l) => l.data).find((d) => d.key === key)?.value;
}

function byName(segment: SegmentObject, name: string): SpanObject {
  const span = segment.spans.find((s) => s.operationName === name);
  if (span === undefined)
    throw new Error(`no span ${name} in ${segment.spans.map((s) => s.operationName).join(', ')}`);
  return span;
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    ),
  );
}

describe('opentelemetry bridge', () => {
  let harness: TracingHarness;
  let undo: () => void;
  let api: typeof Otel;
  let otelTracer: Otel.Tracer;

  beforeAll(() => {
    harness = tracingHarness({ sqlStatementMaxLength: 40 });
    undo = opentelemetryInstrumentation.enable(harness.context);
    api = require('@opentelemetry/api') as typeof Otel;
    otelTracer = api.trace.getTracer('bridge-test', '1.0.0');
  });
  afterAll(() => undo());
  beforeEach(() => harness.sink.clear());

  /** The one segment finished since the test began. */
  async function oneSegment(): Promise<SegmentObject> {
    return vi.waitFor(() => {
      expect(harness.sink.segments).toHaveLength(1);
      return harness.sink.segments[0]!;
    });
  }

  it('registers as the global provider and context manager when the API loads', () => {
    expect(harness.diagnostics).toEqual([]);
    expect(api.trace.getActiveSpan()).toBeUndefined();
    const span = harness.tracer.startLocalSpan('native');
    harness.tracer.withSpan(span, () => {
      expect(api.trace.getActiveSpan()?.spanContext().traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(api.trace.getActiveSpan()).toBe(api.trace.getActiveSpan());
    });
    span.end();
  });

  it('makes the span startActiveSpan passes the active one, which code reaching it that way can end', async () => {
    otelTracer.startActiveSpan('active', (span) => {
      expect(api.trace.getActiveSpan()).toBe(span);
      // No wrapper: the OpenTelemetry span is windsock's active span itself, and the context holding just it.
      expect(harness.tracer.activeSpan()).toBe(span);
      expect(api.context.active()).toBe(span);
      expect(api.trace.getSpan(api.context.active())).toBe(span);
      expect(api.trace.getSpan(api.context.active().deleteValue(api.createContextKey('x')))).toBe(
        span,
      );
      api.trace.getActiveSpan()!.end();
    });
    expect(byName(await oneSegment(), 'active').parentSpanId).toBe(-1);
  });

  it('nests spans of both APIs in one HTTP request: one segment, parents across the APIs', async () => {
    const server = http.createServer((_request, response) => {
      void otelTracer.startActiveSpan('handle order', async (span) => {
        await nextTurn();
        const native = harness.tracer.startLocalSpan('native step');
        await harness.tracer.withSpan(native, async () => {
          await nextTurn();
          const query = otelTracer.startSpan('SELECT orders', {
            kind: api.SpanKind.CLIENT,
            attributes: {
              'db.system.name': 'postgresql',
              'db.query.text': 'SELECT * FROM orders WHERE id = $1',
              'db.namespace': 'shop',
              'server.address': 'db.local',
              'server.port': 5432,
            },
          });
          await nextTurn();
          query.end();
        });
        native.end();
        span.end();
        response.end('ok');
      });
    });
    const url = await listen(server);
    try {
      await fetch(`${url}/orders/1`).then((r) => r.text());
      const segment = await vi.waitFor(() => {
        const found = harness.sink.segments.find((s) =>
          s.spans.some((x) => x.spanType === SpanType.Entry),
        );
        expect(found).toBeDefined();
        return found!;
      });
      const entry = segment.spans.find((s) => s.spanType === SpanType.Entry)!;
      const handle = byName(segment, 'handle order');
      const native = byName(segment, 'native step');
      const query = byName(segment, 'SELECT orders');
      expect(handle).toMatchObject({ spanType: SpanType.Local, parentSpanId: entry.spanId });
      expect(native).toMatchObject({ spanType: SpanType.Local, parentSpanId: handle.spanId });
      expect(query).toMatchObject({
        spanType: SpanType.Exit,
        parentSpanId: native.spanId,
        spanLayer: SpanLayer.Database,
        componentId: 22,
        peer: 'db.local:5432',
      });
      expect(tagsOf(query)).toEqual({
        'db.type': 'postgresql',
        'db.statement': 'SELECT * FROM orders WHERE id = $1',
        'db.instance': 'shop',
      });
    } finally {
      server.close();
    }
  });

  it('keeps the context through awaits, timers, context.with and context.bind', async () => {
    const seen: Record<string, string | undefined> = {};
    const idOf = (span: Otel.Span | undefined): string | undefined => span?.spanContext().spanId;
    await otelTracer.startActiveSpan('outer', async (outer) => {
      await new Promise<void>((resolve) =>
        setTimeout(() => {
          seen.timer = idOf(api.trace.getActiveSpan());
          resolve();
        }, 0),
      );
      await nextTurn();
      seen.await = idOf(api.trace.getActiveSpan());
      const inner = otelTracer.startSpan('inner');
      const bound = api.context.bind(api.trace.setSpan(api.context.active(), inner), () =>
        idOf(api.trace.getActiveSpan()),
      );
      seen.outside = await new Promise((resolve) =>
        setImmediate(() => resolve(idOf(api.trace.getActiveSpan()))),
      );
      seen.bound = bound();
      api.context.with(api.trace.setSpan(api.context.active(), inner), () => {
        harness.tracer.startLocalSpan('native in inner').end();
      });
      inner.end();
      seen.outer = idOf(outer);
      seen.inner = idOf(inner);
      outer.end();
    });
    expect(seen.timer).toBe(seen.outer);
    expect(seen.await).toBe(seen.outer);
    expect(seen.outside).toBe(seen.outer);
    expect(seen.bound).toBe(seen.inner);
    const segment = await oneSegment();
    const outer = byName(segment, 'outer');
    const inner = byName(segment, 'inner');
    expect(outer).toMatchObject({ spanType: SpanType.Local, parentSpanId: -1 });
    expect(inner.parentSpanId).toBe(outer.spanId);
    expect(byName(segment, 'native in inner').parentSpanId).toBe(inner.spanId);
  });

  it('binds an EventEmitter: its listeners run in the bound context, and come off by the listener given', async () => {
    const emitter = new EventEmitter();
    const bound = otelTracer.startSpan('bound');
    expect(api.context.bind(api.trace.setSpan(api.context.active(), bound), emitter)).toBe(emitter);
    const seen: (string | undefined)[] = [];
    const listener = (): void => {
      seen.push(api.trace.getActiveSpan()?.spanContext().spanId);
      harness.tracer.startLocalSpan('native in listener').end();
    };
    emitter.on('data', listener);
    emitter.once('end', listener);
    const other = harness.tracer.startLocalSpan('other request');
    harness.tracer.withSpan(other, () => {
      emitter.emit('data');
      emitter.emit('end');
      emitter.emit('end');
    });
    other.end();
    expect(seen).toEqual([bound.spanContext().spanId, bound.spanContext().spanId]);
    expect(emitter.listenerCount('end')).toBe(0);
    emitter.off('data', listener);
    expect(emitter.listenerCount('data')).toBe(0);
    emitter.on('data', listener);
    emitter.removeAllListeners();
    expect(emitter.listenerCount('data')).toBe(0);
    bound.end();
    const segments = await vi.waitFor(() => {
      expect(harness.sink.segments).toHaveLength(2);
      return harness.sink.segments;
    });
    const segment = segments.find((s) => s.spans.some((x) => x.operationName === 'bound'))!;
    const inListener = segment.spans.filter((x) => x.operationName === 'native in listener');
    expect(inListener.map((x) => x.parentSpanId)).toEqual([
      byName(segment, 'bound').spanId,
      byName(segment, 'bound').spanId,
    ]);
  });

  it('carries context values beside the span (baggage) without losing the windsock parent', async () => {
    await otelTracer.startActiveSpan('with baggage', async (span) => {
      const baggage = api.propagation.createBaggage({ tenant: { value: 'acme' } });
      await api.context.with(
        api.propagation.setBaggage(api.context.active(), baggage),
        async () => {
          await nextTurn();
          expect(api.propagation.getActiveBaggage()?.getEntry('tenant')?.value).toBe('acme');
          expect(api.trace.getActiveSpan()).toBe(span);
          const native = harness.tracer.startLocalSpan('native under baggage');
          harness.tracer.withSpan(native, () => {
            expect(api.propagation.getActiveBaggage()?.getEntry('tenant')?.value).toBe('acme');
            otelTracer.startSpan('otel under native').end();
          });
          native.end();
        },
      );
      span.end();
    });
    const segment = await oneSegment();
    const native = byName(segment, 'native under baggage');
    expect(native.parentSpanId).toBe(byName(segment, 'with baggage').spanId);
    expect(byName(segment, 'otel under native').parentSpanId).toBe(native.spanId);
  });

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

  it('runs context.with(ROOT_CONTEXT) and a foreign span context with no span active, as OpenTelemetry does', async () => {
    const entry = harness.tracer.startEntrySpan('GET:/orders');
    const seen: Record<string, unknown> = {};
    await harness.tracer.withSpan(entry, () =>
      otelTracer.startActiveSpan('outer', async (outer) => {
        await api.context.with(api.ROOT_CONTEXT, async () => {
          seen.rootActive = api.trace.getActiveSpan();
          seen.rootNative = harness.tracer.activeSpan();
          await nextTurn();
          seen.rootLater = api.trace.getActiveSpan() ?? harness.tracer.activeSpan();
          harness.tracer.startLocalSpan('native in root').end();
          otelTracer.startSpan('otel in root').end();
        });
        const foreign = api.trace.wrapSpanContext({
          traceId: '0af7651916cd43dd8448eb211c80319c',
          spanId: 'b7ad6b7169203331',
          traceFlags: 1,
        });
        api.context.with(api.trace.setSpan(api.ROOT_CONTEXT, foreign), () => {
          seen.foreignActive = api.trace.getActiveSpan();
          harness.tracer.startLocalSpan('native under foreign').end();
        });
        otelTracer.startSpan('given root context', {}, api.ROOT_CONTEXT).end();
        otelTracer.startSpan('root option', { root: true }).end();
        seen.outerAfter = api.trace.getActiveSpan() === outer;
        outer.end();
      }),
    );
    entry.end();
    expect(seen.rootActive).toBeUndefined();
    expect(seen.rootNative).toBeUndefined();
    expect(seen.rootLater).toBeUndefined();
    expect(seen.outerAfter).toBe(true);
    expect((seen.foreignActive as Otel.Span).spanContext().spanId).toBe('b7ad6b7169203331');
    const segments = await vi.waitFor(() => {
      expect(harness.sink.segments).toHaveLength(6);
      return harness.sink.segments;
    });
    const request = segments.find((s) => s.spans.some((x) => x.operationName === 'GET:/orders'))!;
    expect(request.spans.map((x) => x.operationName)).toEqual(['GET:/orders', 'outer']);
    for (const name of [
      'native in root',
      'otel in root',
      'native under foreign',
      'given root context',
      'root option',
    ]) {
      const own = segments.find((s) => s.spans.some((x) => x.operationName === name))!;
      expect(own.traceId, name).not.toBe(request.traceId);
      expect(own.spans, name).toMatchObject([{ operationName: name, parentSpanId: -1, refs: [] }]);
    }
  });

  it('lets OpenTelemetry code tag the active windsock span but not end it', async () => {
    const native = harness.tracer.startLocalSpan('native');
    harness.tracer.withSpan(native, () => {
      const view = api.trace.getActiveSpan()!;
      view.setAttribute('user.id', 'u-1');
      view.end();
      expect(native.ended).toBe(false);
    });
    native.end();
    const segment = await oneSegment();
    expect(tagOf(byName(segment, 'native'), 'user.id')).toBe('u-1');
  });

  it('traces Fastify 5 through @fastify/otel: its spans under the request entry span', async () => {
    const fastify = require('fastify') as typeof Fastify;
    const { FastifyOtelInstrumentation } = require('@fastify/otel') as typeof FastifyOtel;
    const instrumentation = new FastifyOtelInstrumentation();
    const app = fastify();
    await app.register(instrumentation.plugin());
    app.get('/users/:id', async (request) => {
      await nextTurn();
      return { id: (request.params as { id: string }).id };
    });
    app.get('/fail', async () => {
      await nextTurn();
      throw new Error('handler failed');
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
      expect(await fetch(`${url}/users/7`).then((r) => r.json())).toEqual({ id: '7' });
      expect((await fetch(`${url}/fail`)).status).toBe(500);
      // The test's own fetch calls are traced too (exit spans in segments of their own): keep the servers'.
      const segments = await vi.waitFor(() => {
        const served = harness.sink.segments.filter((s) => s.spans[0]?.spanType === SpanType.Entry);
        expect(served).toHaveLength(2);
        return served;
      });
      const ok = segments.find((s) =>
        s.spans.some((x) => tagOf(x, 'http.url')?.endsWith('/users/7')),
      )!;
      const entry = ok.spans.find((s) => s.spanType === SpanType.Entry)!;
      const request = byName(ok, 'GET:/users/:id');
      expect(request).toMatchObject({
        spanType: SpanType.Local,
        parentSpanId: entry.spanId,
        spanLayer: SpanLayer.Http,
      });
      expect(tagOf(request, 'http.method')).toBe('GET');
      expect(ok.spans.find((s) => s.operationName.startsWith('handler -'))?.parentSpanId).toBe(
        request.spanId,
      );
      expect(ok.spans.filter((s) => s.spanType === SpanType.Entry)).toEqual([entry]);
      const failed = segments.find((s) => s !== ok)!;
      const handler = failed.spans.find((s) => s.operationName.startsWith('handler -'))!;
      expect(handler.isError).toBe(true);
      expect(logged(handler, 'message')).toBe('handler failed');
    } finally {
      await app.close();
    }
  });
});

describe('opentelemetry bridge in applications (fixtures)', () => {
  it.each(['app.cjs', 'app.mjs'])(
    '%s: the app’s OpenTelemetry spans join the request’s segment',
    async (file) => {
      const run = await runFixture(fixture(file), { plugins: ['opentelemetry'] });
      expect(run.code).toBe(0);
      expect(run.stdout).toBe('order /orders/1');
      expect(run.diagnostics).toEqual([]);
      const served = run.segments.find((s) => s.spans.some((x) => x.spanType === SpanType.Entry))!;
      const entry = served.spans.find((s) => s.spanType === SpanType.Entry)!;
      expect(entry.refs).toHaveLength(1);
      const load = byName(served, 'load order');
      expect(load.parentSpanId).toBe(entry.spanId);
      expect(byName(served, 'SELECT orders')).toMatchObject({
        spanType: SpanType.Exit,
        parentSpanId: load.spanId,
        spanLayer: SpanLayer.Database,
        peer: 'db.local:5432',
      });
      expect(new Set(run.segments.map((s) => s.traceId)).size).toBe(1);
    },
  );

  it('stands back when the app registers its own provider later, also for tracers obtained before', async () => {
    const run = await runFixture(fixture('stand-back.cjs'), { plugins: ['opentelemetry'] });
    expect(run.code).toBe(0);
    expect(run.segments.map((s) => s.spans[0]!.operationName)).toEqual(['before the app provider']);
    expect(run.diagnostics).toHaveLength(1);
    expect(run.diagnostics[0]).toContain('windsock stands back');
    expect(run.stdout.split('\n')).toEqual([
      'provider registered: true',
      'context manager registered: true',
      'exported: after, late tracer, after, early tracer',
    ]);
  });

  it('leaves a provider the app registered first in place, in one diagnostic line', async () => {
    const run = await runFixture(fixture('provider-first.cjs'), { plugins: [] });
    expect(run.code).toBe(0);
    expect(run.segments).toEqual([]);
    expect(run.diagnostics).toHaveLength(1);
    expect(run.diagnostics[0]).toContain('already registered');
    expect(run.stdout).toBe('exported: app span');
  });

  it.each(['loaded-before.cjs', 'loaded-before.mjs'])(
    '%s: a copy of the API loaded before windsock started is bridged, and its tracers',
    async (file) => {
      const run = await runFixture(fixture(file), { plugins: [] });
      expect(run.code).toBe(0);
      expect(run.diagnostics).toEqual([]);
      expect(run.stdout.split('\n')).toEqual(['active is ours: true', 'order /orders/1']);
      const served = run.segments.find((s) => s.spans.some((x) => x.spanType === SpanType.Entry))!;
      const entry = served.spans.find((s) => s.spanType === SpanType.Entry)!;
      expect(byName(served, 'load order')).toMatchObject({
        spanType: SpanType.Local,
        parentSpanId: entry.spanId,
      });
    },
  );

  it('loads and registers nothing when the app never loads the API', async () => {
    const run = await runFixture(fixture('absent.cjs'), { plugins: ['opentelemetry'] });
    expect(run.code).toBe(0);
    expect(run.diagnostics).toEqual([]);
    expect(run.stdout.split('\n')).toEqual(['loaded: 0', 'global: false']);
    expect(run.segments.length).toBeGreaterThan(0);
  });
});
