import {
  decodeSw8,
  decodeSw8Correlation,
  encodeSw8,
  encodeSw8Correlation,
  RefType,
  SpanLayer,
  SpanType,
} from '@windsock/protocol';
import { OptionsError } from '@windsock/options';
import { describe, expect, it, vi } from 'vitest';
import { CALLER as caller, manualClock, tracerWithSink } from '../../test/helpers.js';
import { suppressTracing } from './context.js';

describe('Tracer: spans and segments', () => {
  it('builds a segment of entry, local and exit spans with ids, parents and times', () => {
    const clock = manualClock();
    const { tracer, sink } = tracerWithSink({ now: clock.now });
    const entry = tracer.startEntrySpan('GET:/orders', { layer: SpanLayer.Http, componentId: 49 });
    clock.advance(1);
    tracer.withSpan(entry, () => {
      const local = tracer.startLocalSpan('price');
      tracer.withSpan(local, () => {
        const headers: Record<string, string> = {};
        const exit = tracer.startExitSpan('/stock', 'stock:80', { headers });
        expect(decodeSw8(headers.sw8)).toMatchObject({
          traceId: entry.traceId,
          parentSegmentId: entry.segmentId,
          parentSpanId: 2,
          parentEndpoint: 'GET:/orders',
          addressUsedAtClient: 'stock:80',
        });
        clock.advance(2);
        exit.end();
      });
      local.end();
    });
    expect(sink.segments).toHaveLength(0);
    clock.advance(3);
    entry.end();

    expect(sink.segments).toHaveLength(1);
    const segment = sink.segments[0]!;
    expect(segment).toMatchObject({
      traceId: entry.traceId,
      traceSegmentId: entry.segmentId,
      service: 'svc',
      serviceInstance: 'inst',
      isSizeLimited: false,
    });
    const start = 1_700_000_000_000;
    expect(
      segment.spans.map((s) => [s.spanId, s.parentSpanId, s.spanType, s.operationName]),
    ).toEqual([
      [0, -1, SpanType.Entry, 'GET:/orders'],
      [1, 0, SpanType.Local, 'price'],
      [2, 1, SpanType.Exit, '/stock'],
    ]);
    expect(segment.spans.map((s) => [s.startTime - start, s.endTime - start])).toEqual([
      [0, 6],
      [1, 3],
      [1, 3],
    ]);
    expect(segment.spans[0]).toMatchObject({ spanLayer: SpanLayer.Http, componentId: 49 });
    expect(segment.spans[2]!.peer).toBe('stock:80');
    expect(tracer.stats().segmentsFinished).toBe(1);
  });

  it('continues the caller trace from sw8 with a CrossProcess reference', () => {
    const { tracer, sink } = tracerWithSink();
    const entry = tracer.startEntrySpan('GET:/pay', { headers: { sw8: encodeSw8(caller) } });
    entry.end();
    const segment = sink.segments[0]!;
    expect(segment.traceId).toBe('trace-1');
    expect(segment.spans[0]!.refs).toEqual([
      {
        refType: RefType.CrossProcess,
        traceId: 'trace-1',
        parentTraceSegmentId: 'segment-1',
        parentSpanId: 3,
        parentService: 'upstream',
        parentServiceInstance: 'upstream-1',
        parentEndpoint: 'GET:/checkout',
        networkAddressUsedAtPeer: 'orders:8080',
      },
    ]);
  });

  it('remembers a caller in its own decoder: the reference is the same on a hit, and tracers share nothing', () => {
    const { tracer, sink } = tracerWithSink();
    const other = tracerWithSink().tracer;
    for (const traceId of ['trace-1', 'trace-2']) {
      tracer
        .startEntrySpan('GET:/pay', { headers: { sw8: encodeSw8({ ...caller, traceId }) } })
        .end();
    }
    expect(tracer.sw8Decoder.size).toBe(1);
    expect(other.sw8Decoder.size).toBe(0);
    const [first, second] = sink.segments.map((segment) => segment.spans[0]!.refs[0]!);
    expect(second).toEqual({ ...first, traceId: 'trace-2' });
    expect(second!.parentEndpoint).toBe('GET:/checkout');
  });

  it('reads sw8 from a fetch Headers object and writes into one', () => {
    const { tracer, sink } = tracerWithSink();
    const entry = tracer.startEntrySpan('job', {
      headers: new Headers({ sw8: encodeSw8(caller) }),
    });
    const outgoing = new Headers();
    tracer.withSpan(entry, () => tracer.startExitSpan('/x', 'x:1', { headers: outgoing }).end());
    entry.end();
    expect(sink.segments[0]!.traceId).toBe('trace-1');
    expect(decodeSw8(outgoing.get('sw8') ?? undefined)?.traceId).toBe('trace-1');
  });

  it('forwards sw8-correlation and honours sw8-x skip-analysis', () => {
    const { tracer, sink } = tracerWithSink();
    const entry = tracer.startEntrySpan('GET:/a', {
      headers: {
        sw8: encodeSw8(caller),
        'sw8-correlation': encodeSw8Correlation({ tenant: 'blue' }),
        'sw8-x': '1-',
      },
    });
    const headers: Record<string, string> = {};
    tracer.withSpan(entry, () => tracer.startExitSpan('/b', 'b:1', { headers }).end());
    entry.end();
    expect(decodeSw8Correlation(headers['sw8-correlation'])?.get('tenant')).toBe('blue');
    expect(headers['sw8-x']).toMatch(/^1-/);
    expect(sink.segments[0]!.spans.every((s) => s.skipAnalysis)).toBe(true);
  });

  it('starts a new trace, counts it, and never throws for malformed sw8', () => {
    const { tracer, sink } = tracerWithSink();
    for (const sw8 of ['', '1', '2-a-b-1-c-d-e-f', '1-!!!-b-1-c-d-e-f', 'x'.repeat(5000)]) {
      tracer.startEntrySpan('GET:/', { headers: { sw8 } }).end();
    }
    expect(sink.segments).toHaveLength(5);
    expect(sink.segments.every((s) => s.spans[0]!.refs.length === 0)).toBe(true);
    expect(new Set(sink.segments.map((s) => s.traceId)).size).toBe(5);
    expect(tracer.stats().malformedHeaders).toBe(5);
  });

  it('reports the segment only when the last span ends, even if the entry ends first', () => {
    const { tracer, sink } = tracerWithSink();
    const entry = tracer.startEntrySpan('GET:/');
    const exit = tracer.withSpan(entry, () => tracer.startExitSpan('/slow', 'slow:1'));
    entry.end();
    expect(sink.segments).toHaveLength(0);
    exit.end();
    expect(sink.segments).toHaveLength(1);
    expect(sink.segments[0]!.spans).toHaveLength(2);
  });

  it('continues work that outlives its segment in a new segment with a CrossThread reference', () => {
    const { tracer, sink } = tracerWithSink();
    const entry = tracer.startEntrySpan('GET:/fire-and-forget');
    entry.end();
    const late = tracer.withSpan(entry, () => tracer.startLocalSpan('later'));
    late.end();
    expect(sink.segments).toHaveLength(2);
    const [first, second] = sink.segments as [(typeof sink.segments)[0], (typeof sink.segments)[0]];
    expect(second.traceId).toBe(first.traceId);
    expect(second.traceSegmentId).not.toBe(first.traceSegmentId);
    expect(second.spans[0]!.refs[0]).toMatchObject({
      refType: RefType.CrossThread,
      parentTraceSegmentId: first.traceSegmentId,
      parentSpanId: 0,
      parentEndpoint: 'GET:/fire-and-forget',
    });
  });
});

describe('Tracer: limits and robustness', () => {
  it('rejects bad caps and rates with one OptionsError listing each, instead of a silent default', () => {
    expect(() =>
      tracerWithSink({ maxSpansPerSegment: 0, maxTagValueLength: 1.5, sampleRate: 2 }),
    ).toThrow(
      new OptionsError(
        [
          { name: 'maxSpansPerSegment', value: '0', expected: 'an integer ≥ 1' },
          { name: 'maxTagValueLength', value: '1.5', expected: 'an integer ≥ 1' },
          { name: 'sampleRate', value: '2', expected: 'a finite number ≥ 0 and ≤ 1' },
        ],
        'windsock core: invalid options',
      ),
    );
  });

  it('drops spans beyond maxSpansPerSegment, marks the segment and keeps propagating', () => {
    const { tracer, sink } = tracerWithSink({ maxSpansPerSegment: 3 });
    const entry = tracer.startEntrySpan('GET:/many');
    const headers: Record<string, string> = {};
    tracer.withSpan(entry, () => {
      for (let i = 0; i < 5; i++) tracer.startLocalSpan(`local-${i}`).end();
      const exit = tracer.startExitSpan('/over-limit', 'x:1', { headers });
      exit.tag('ignored', 'yes');
      exit.end();
    });
    entry.end();
    const segment = sink.segments[0]!;
    expect(segment.spans).toHaveLength(3);
    expect(segment.isSizeLimited).toBe(true);
    expect(tracer.stats().spansDropped).toBe(4);
    // The dropped exit span points the callee at a span the backend will receive.
    expect(decodeSw8(headers.sw8)?.parentSpanId).toBe(0);
  });

  it('caps tag and log values, counting each cut', () => {
    const { tracer, sink } = tracerWithSink({ maxTagValueLength: 8 });
    const span = tracer.startLocalSpan('t');
    span
      .tag('short', 'ok')
      .tag('long', 'x'.repeat(100))
      .log({ event: 'y'.repeat(20) });
    span.end();
    const data = sink.segments[0]!.spans[0]!;
    expect(data.tags).toEqual([
      { key: 'short', value: 'ok' },
      { key: 'long', value: 'xxxxxxxx' },
    ]);
    expect(data.logs[0]!.data).toEqual([{ key: 'event', value: 'yyyyyyyy' }]);
    expect(tracer.stats().valuesTruncated).toBe(2);
  });

  it('stringifies non-string tags and tolerates double end and use after end', () => {
    const { tracer, sink } = tracerWithSink();
    const span = tracer.startLocalSpan('t');
    span.tag('n', 5).tag('o', { a: 1 }).tag('u', undefined);
    span.end();
    span.end();
    span.tag('late', 1).log({ late: true }).error(new Error('late'));
    expect(sink.segments).toHaveLength(1);
    expect(sink.segments[0]!.spans[0]!.tags).toEqual([
      { key: 'n', value: '5' },
      { key: 'o', value: '{"a":1}' },
      { key: 'u', value: 'undefined' },
    ]);
    expect(sink.segments[0]!.spans[0]!.isError).toBe(false);
  });

  it('records errors as isError plus a log with kind, message and stack', () => {
    const { tracer, sink } = tracerWithSink();
    const span = tracer.startLocalSpan('t');
    span.error(new RangeError('out of range'));
    span.error('plain string');
    span.end();
    const data = sink.segments[0]!.spans[0]!;
    expect(data.isError).toBe(true);
    const first = Object.fromEntries(data.logs[0]!.data.map((kv) => [kv.key, kv.value]));
    expect(first).toMatchObject({
      event: 'error',
      'error.kind': 'RangeError',
      message: 'out of range',
    });
    expect(first.stack).toContain('RangeError: out of range');
    // The second error keeps the span failed but logs nothing more: one exception log per span.
    expect(data.logs).toHaveLength(1);
  });

  it('keeps a throwing sink away from the caller and counts it', () => {
    const { tracer } = tracerWithSink({
      sink: {
        segment() {
          throw new Error('queue exploded');
        },
        log() {},
        meters() {},
      },
    });
    expect(() => tracer.startLocalSpan('t').end()).not.toThrow();
    expect(tracer.stats()).toMatchObject({ segmentsFinished: 1, sinkErrors: 1 });
  });

  it('survives hostile header carriers', () => {
    const { tracer, sink } = tracerWithSink();
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error('nope');
        },
        set() {
          throw new Error('nope');
        },
      },
    );
    const entry = tracer.startEntrySpan('e', { headers: hostile });
    const exit = tracer.withSpan(entry, () =>
      tracer.startExitSpan('x', 'p:1', { headers: hostile }),
    );
    exit.end();
    entry.end();
    expect(sink.segments).toHaveLength(1);
  });
});

describe('Tracer: context', () => {
  it('exposes the active ids for log correlation', () => {
    const { tracer } = tracerWithSink();
    expect(tracer.activeContext()).toBeUndefined();
    const entry = tracer.startEntrySpan('GET:/');
    tracer.withSpan(entry, () => {
      expect(tracer.activeContext()).toEqual({
        traceId: entry.traceId,
        segmentId: entry.segmentId,
        spanId: 0,
      });
    });
    entry.end();
  });

  it('creates nothing and injects nothing inside suppressTracing', () => {
    const { tracer, sink } = tracerWithSink();
    const headers: Record<string, string> = {};
    suppressTracing(() => {
      tracer.startEntrySpan('e').end();
      tracer.startLocalSpan('l').end();
      tracer.startExitSpan('x', 'p:1', { headers }).end();
      expect(tracer.activeContext()).toBeUndefined();
    });
    expect(headers).toEqual({});
    expect(sink.segments).toHaveLength(0);
  });

  it('withoutSpan runs its callback and what it schedules with no active span', async () => {
    const { tracer, sink } = tracerWithSink();
    const entry = tracer.startEntrySpan('GET:/');
    let later: ReturnType<typeof tracer.startLocalSpan> | undefined;
    const inner = tracer.withSpan(entry, () =>
      tracer.withoutSpan(() => {
        expect(tracer.activeSpan()).toBeUndefined();
        setImmediate(() => (later = tracer.startLocalSpan('later')));
        return tracer.startLocalSpan('detached');
      }),
    );
    await vi.waitFor(() => expect(later).toBeDefined());
    expect(tracer.withSpan(entry, () => tracer.activeSpan())).toBe(entry);
    for (const span of [inner, later!]) {
      expect(span.traceId).not.toBe(entry.traceId);
      span.end();
    }
    entry.end();
    expect(sink.segments.map((s) => s.spans[0]!.operationName).sort()).toEqual([
      'GET:/',
      'detached',
      'later',
    ]);
  });

  it('withoutSpan keeps a suppressed context suppressed', () => {
    const { tracer, sink } = tracerWithSink();
    suppressTracing(() => tracer.withoutSpan(() => tracer.startLocalSpan('hidden').end()));
    expect(sink.segments).toHaveLength(0);
  });
});
