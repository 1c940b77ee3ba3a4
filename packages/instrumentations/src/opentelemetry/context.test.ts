// The bridge's one context: spans of both APIs nest in each other through awaits, timers, context.with and bind.
import { EventEmitter } from 'node:events';
import http from 'node:http';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type * as Otel from '@opentelemetry/api';
import { SpanLayer, SpanType } from '@windsock/protocol';
import { describe, expect, it, vi } from 'vitest';
import { byName, listen, useBridge } from '../../test/helpers/opentelemetry.js';
import { tagOf, tagsOf } from '../../test/helpers/tracing.js';

describe('opentelemetry bridge: one context for both APIs', () => {
  const bridge = useBridge();

  it('makes the span startActiveSpan passes the active one, which code reaching it that way can end', async () => {
    bridge.otelTracer.startActiveSpan('active', (span) => {
      expect(bridge.api.trace.getActiveSpan()).toBe(span);
      // No wrapper: the OpenTelemetry span is windsock's active span itself, and the context holding just it.
      expect(bridge.harness.tracer.activeSpan()).toBe(span);
      expect(bridge.api.context.active()).toBe(span);
      expect(bridge.api.trace.getSpan(bridge.api.context.active())).toBe(span);
      expect(
        bridge.api.trace.getSpan(
          bridge.api.context.active().deleteValue(bridge.api.createContextKey('x')),
        ),
      ).toBe(span);
      bridge.api.trace.getActiveSpan()!.end();
    });
    expect(byName(await bridge.oneSegment(), 'active').parentSpanId).toBe(-1);
  });

  it('nests spans of both APIs in one HTTP request: one segment, parents across the APIs', async () => {
    const server = http.createServer((_request, response) => {
      void bridge.otelTracer.startActiveSpan('handle order', async (span) => {
        await nextTurn();
        const native = bridge.harness.tracer.startLocalSpan('native step');
        await bridge.harness.tracer.withSpan(native, async () => {
          await nextTurn();
          const query = bridge.otelTracer.startSpan('SELECT orders', {
            kind: bridge.api.SpanKind.CLIENT,
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
        const found = bridge.harness.sink.segments.find((s) =>
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
    await bridge.otelTracer.startActiveSpan('outer', async (outer) => {
      await new Promise<void>((resolve) =>
        setTimeout(() => {
          seen.timer = idOf(bridge.api.trace.getActiveSpan());
          resolve();
        }, 0),
      );
      await nextTurn();
      seen.await = idOf(bridge.api.trace.getActiveSpan());
      const inner = bridge.otelTracer.startSpan('inner');
      const bound = bridge.api.context.bind(
        bridge.api.trace.setSpan(bridge.api.context.active(), inner),
        () => idOf(bridge.api.trace.getActiveSpan()),
      );
      seen.outside = await new Promise((resolve) =>
        setImmediate(() => resolve(idOf(bridge.api.trace.getActiveSpan()))),
      );
      seen.bound = bound();
      bridge.api.context.with(bridge.api.trace.setSpan(bridge.api.context.active(), inner), () => {
        bridge.harness.tracer.startLocalSpan('native in inner').end();
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
    const segment = await bridge.oneSegment();
    const outer = byName(segment, 'outer');
    const inner = byName(segment, 'inner');
    expect(outer).toMatchObject({ spanType: SpanType.Local, parentSpanId: -1 });
    expect(inner.parentSpanId).toBe(outer.spanId);
    expect(byName(segment, 'native in inner').parentSpanId).toBe(inner.spanId);
  });

  it('binds an EventEmitter: its listeners run in the bound context, and come off by the listener given', async () => {
    const emitter = new EventEmitter();
    const bound = bridge.otelTracer.startSpan('bound');
    expect(
      bridge.api.context.bind(
        bridge.api.trace.setSpan(bridge.api.context.active(), bound),
        emitter,
      ),
    ).toBe(emitter);
    const seen: (string | undefined)[] = [];
    const listener = (): void => {
      seen.push(bridge.api.trace.getActiveSpan()?.spanContext().spanId);
      bridge.harness.tracer.startLocalSpan('native in listener').end();
    };
    emitter.on('data', listener);
    emitter.once('end', listener);
    const other = bridge.harness.tracer.startLocalSpan('other request');
    bridge.harness.tracer.withSpan(other, () => {
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
      expect(bridge.harness.sink.segments).toHaveLength(2);
      return bridge.harness.sink.segments;
    });
    const segment = segments.find((s) => s.spans.some((x) => x.operationName === 'bound'))!;
    const inListener = segment.spans.filter((x) => x.operationName === 'native in listener');
    expect(inListener.map((x) => x.parentSpanId)).toEqual([
      byName(segment, 'bound').spanId,
      byName(segment, 'bound').spanId,
    ]);
  });

  it('carries context values beside the span (baggage) without losing the windsock parent', async () => {
    await bridge.otelTracer.startActiveSpan('with baggage', async (span) => {
      const baggage = bridge.api.propagation.createBaggage({ tenant: { value: 'acme' } });
      await bridge.api.context.with(
        bridge.api.propagation.setBaggage(bridge.api.context.active(), baggage),
        async () => {
          await nextTurn();
          expect(bridge.api.propagation.getActiveBaggage()?.getEntry('tenant')?.value).toBe('acme');
          expect(bridge.api.trace.getActiveSpan()).toBe(span);
          const native = bridge.harness.tracer.startLocalSpan('native under baggage');
          bridge.harness.tracer.withSpan(native, () => {
            expect(bridge.api.propagation.getActiveBaggage()?.getEntry('tenant')?.value).toBe(
              'acme',
            );
            bridge.otelTracer.startSpan('otel under native').end();
          });
          native.end();
        },
      );
      span.end();
    });
    const segment = await bridge.oneSegment();
    const native = byName(segment, 'native under baggage');
    expect(native.parentSpanId).toBe(byName(segment, 'with baggage').spanId);
    expect(byName(segment, 'otel under native').parentSpanId).toBe(native.spanId);
  });

  it('runs context.with(ROOT_CONTEXT) and a foreign span context with no span active, as OpenTelemetry does', async () => {
    const entry = bridge.harness.tracer.startEntrySpan('GET:/orders');
    const seen: Record<string, unknown> = {};
    await bridge.harness.tracer.withSpan(entry, () =>
      bridge.otelTracer.startActiveSpan('outer', async (outer) => {
        await bridge.api.context.with(bridge.api.ROOT_CONTEXT, async () => {
          seen.rootActive = bridge.api.trace.getActiveSpan();
          seen.rootNative = bridge.harness.tracer.activeSpan();
          await nextTurn();
          seen.rootLater = bridge.api.trace.getActiveSpan() ?? bridge.harness.tracer.activeSpan();
          bridge.harness.tracer.startLocalSpan('native in root').end();
          bridge.otelTracer.startSpan('otel in root').end();
        });
        const foreign = bridge.api.trace.wrapSpanContext({
          traceId: '0af7651916cd43dd8448eb211c80319c',
          spanId: 'b7ad6b7169203331',
          traceFlags: 1,
        });
        bridge.api.context.with(bridge.api.trace.setSpan(bridge.api.ROOT_CONTEXT, foreign), () => {
          seen.foreignActive = bridge.api.trace.getActiveSpan();
          bridge.harness.tracer.startLocalSpan('native under foreign').end();
        });
        bridge.otelTracer.startSpan('given root context', {}, bridge.api.ROOT_CONTEXT).end();
        bridge.otelTracer.startSpan('root option', { root: true }).end();
        seen.outerAfter = bridge.api.trace.getActiveSpan() === outer;
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
      expect(bridge.harness.sink.segments).toHaveLength(6);
      return bridge.harness.sink.segments;
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
    const native = bridge.harness.tracer.startLocalSpan('native');
    bridge.harness.tracer.withSpan(native, () => {
      const view = bridge.api.trace.getActiveSpan()!;
      view.setAttribute('user.id', 'u-1');
      view.end();
      expect(native.ended).toBe(false);
    });
    native.end();
    const segment = await bridge.oneSegment();
    expect(tagOf(byName(segment, 'native'), 'user.id')).toBe('u-1');
  });
});
