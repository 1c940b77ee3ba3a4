// One real library that traces itself through the OpenTelemetry API, under windsock's HTTP entry span.
import { createRequire } from 'node:module';
import { type AddressInfo } from 'node:net';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type * as FastifyOtel from '@fastify/otel';
import { SpanLayer, SpanType } from '@windsock/protocol';
import type Fastify from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { byName, enableBridge, logged } from '../../test/helpers/opentelemetry.js';
import { tagOf, type TracingHarness } from '../../test/helpers/tracing.js';

const require = createRequire(import.meta.url);

describe('opentelemetry bridge: a library emitting OpenTelemetry spans', () => {
  let harness: TracingHarness;
  let undo: () => void;

  beforeAll(() => ({ harness, undo } = enableBridge()));
  afterAll(() => undo());
  beforeEach(() => harness.sink.clear());

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
