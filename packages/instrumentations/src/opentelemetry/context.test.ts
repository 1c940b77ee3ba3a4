// The bridge's one context: spans of both APIs nest in each other through awaits, timers, context.with and bind.
import { EventEmitter } from 'node:events';
import http from 'node:http';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type * as Otel from '@opentelemetry/api';
import { type SegmentObject, SpanLayer, SpanType } from '@windsock/protocol';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  byName,
  enableBridge,
  listen,
  oneSegment as onlySegment,
} from '../../test/helpers/opentelemetry.js';
import { tagOf, tagsOf, type TracingHarness } from '../../test/helpers/tracing.js';

describe('opentelemetry bridge: one context for both APIs', () => {
  let harness: TracingHarness;
  let undo: () => void;
  let api: typeof Otel;
  let otelTracer: Otel.Tracer;

  beforeAll(() => ({ harness, undo, api, otelTracer } = enableBridge()));
  afterAll(() => undo());
  beforeEach(() => harness.sink.clear());
  const oneSegment = (): Promise<SegmentObject> => onlySegment(harness);

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
});
