// Registration as the global provider: when windsock registers, stands back, leaves the app's provider alone, finds
// a copy loaded before it, and loads nothing when the API is absent.
import type * as Otel from '@opentelemetry/api';
import { SpanLayer, SpanType } from '@windsock/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFixture } from '../../test/helpers/fixture.js';
import { byName, enableBridge, fixture } from '../../test/helpers/opentelemetry.js';
import { type TracingHarness } from '../../test/helpers/tracing.js';

describe('opentelemetry bridge registration', () => {
  let harness: TracingHarness;
  let undo: () => void;
  let api: typeof Otel;

  beforeAll(() => ({ harness, undo, api } = enableBridge()));
  afterAll(() => undo());

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
