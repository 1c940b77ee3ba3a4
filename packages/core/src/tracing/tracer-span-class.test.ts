// Spans made as an integration's subclass (`spanClass`), as the OpenTelemetry bridge makes them.
import { describe, expect, it } from 'vitest';
import { tracerWithSink } from '../../test/helpers.js';
import { SpanRecord } from './span.js';

describe('Tracer: spanClass', () => {
  class Tagged extends SpanRecord {
    get kind(): string {
      return 'tagged';
    }
  }

  it('makes entry, exit and local spans, recorded or beyond the limit, as the class given', () => {
    const { tracer, sink } = tracerWithSink({ maxSpansPerSegment: 2 });
    const entry = tracer.startEntrySpan('GET:/', { spanClass: Tagged });
    const [exit, local, dropped, plain] = tracer.withSpan(entry, () => [
      tracer.startExitSpan('SELECT', 'db:5432', { spanClass: Tagged }),
      tracer.startLocalSpan('render', { spanClass: Tagged }),
      tracer.startLocalSpan('render', { spanClass: Tagged }),
      tracer.startLocalSpan('plain'),
    ]);
    for (const span of [entry, exit, local, dropped]) expect(span).toBeInstanceOf(Tagged);
    expect(plain).not.toBeInstanceOf(Tagged);
    expect(plain).toBeInstanceOf(SpanRecord);
    expect((exit as Tagged).kind).toBe('tagged');
    for (const span of [plain, dropped, local, exit, entry]) span.end();
    expect(sink.segments).toHaveLength(1);
    expect(sink.segments[0]!.spans.map((s) => s.operationName)).toEqual(['GET:/', 'SELECT']);
    expect(sink.segments[0]!.isSizeLimited).toBe(true);
  });

  it('makes the first span of a new trace and of a continuation segment as the class given', () => {
    const { tracer } = tracerWithSink();
    const root = tracer.startLocalSpan('job', { spanClass: Tagged });
    expect(root).toBeInstanceOf(Tagged);
    root.end();
    const continued = tracer.withSpan(root, () =>
      tracer.startLocalSpan('after', { spanClass: Tagged }),
    );
    expect(continued).toBeInstanceOf(Tagged);
    expect(continued.segmentId).not.toBe(root.segmentId);
    expect(continued.traceId).toBe(root.traceId);
    continued.end();
  });
});
