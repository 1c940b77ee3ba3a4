import {
  createDiagnosticLogger,
  createLogger,
  createTracer,
  DEFAULT_INSTRUMENTATION_SETTINGS,
  type InstrumentationContext,
  type InstrumentationSettings,
  type Tracer,
} from '@windsock/core';
import {
  type LogData,
  type MeterData,
  type SegmentObject,
  type SpanObject,
  SpanType,
} from '@windsock/protocol';
import { expect, vi } from 'vitest';

/** A sink that keeps what it receives: the test's view of what the agent would send to OAP. */
export class RecordingSink {
  readonly segments: SegmentObject[] = [];
  readonly logs: LogData[] = [];
  segment(segment: SegmentObject): void {
    this.segments.push(segment);
  }
  log(record: LogData): void {
    this.logs.push(record);
  }
  meters(_collection: MeterData[]): void {}

  /** Every reported span, across segments. */
  spans(): SpanObject[] {
    return this.segments.flatMap((s) => s.spans);
  }

  clear(): void {
    this.segments.length = 0;
    this.logs.length = 0;
  }
}

export interface TracingHarness {
  tracer: Tracer;
  sink: RecordingSink;
  /** Diagnostic lines the agent wrote (version out of range, hook failures). */
  diagnostics: string[];
  context: InstrumentationContext;
}

/**
 * A real tracer (HTTP server and client instrumentation on) writing into a `RecordingSink`, and the context an
 * instrumentation is enabled with.
 */
export function tracingHarness(settings: Partial<InstrumentationSettings> = {}): TracingHarness {
  const sink = new RecordingSink();
  const tracer = createTracer({ serviceName: 'svc', serviceInstance: 'inst', sink });
  tracer.enableHttpInstrumentation();
  const diagnostics: string[] = [];
  const context: InstrumentationContext = {
    tracer,
    logger: createLogger({ tracer, sink, serviceName: 'svc', serviceInstance: 'inst' }),
    diagnostics: createDiagnosticLogger({ write: (line) => diagnostics.push(line), throttleMs: 0 }),
    settings: { ...DEFAULT_INSTRUMENTATION_SETTINGS, ...settings },
  };
  return { tracer, sink, diagnostics, context };
}

/** A tag's value on a span, or undefined. */
export function tagOf(span: SpanObject, key: string): string | undefined {
  return span.tags.find((t) => t.key === key)?.value;
}

/** A span's tags as an object (last value wins), for `toMatchObject`. */
export function tagsOf(span: SpanObject): Record<string, string> {
  return Object.fromEntries(span.tags.map((t) => [t.key, t.value]));
}

/** A segment's entry spans. */
export function entrySpans(segment: SegmentObject): SpanObject[] {
  return segment.spans.filter((s) => s.spanType === SpanType.Entry);
}

/** Waits for the one segment whose entry span served `path` (the end of its `http.url` tag), and returns both. */
export async function served(
  harness: TracingHarness,
  path: string,
): Promise<{ segment: SegmentObject; entry: SpanObject }> {
  return vi.waitFor(() => {
    const found = harness.sink.segments.filter((s) =>
      s.spans.some(
        (span) => span.spanType === SpanType.Entry && tagOf(span, 'http.url')?.endsWith(path),
      ),
    );
    expect(found).toHaveLength(1);
    const segment = found[0]!;
    return { segment, entry: entrySpans(segment)[0]! };
  });
}

/** The first value logged on a span under `key` (`event`, `message`, `error.kind`, `stack`). */
export function logged(span: SpanObject, key: string): string | undefined {
  return span.logs.flatMap((l) => l.data).find((d) => d.key === key)?.value;
}

/** The span's logs of `event: error`, each as an object of its fields. */
export function errorLogs(span: SpanObject): Record<string, string>[] {
  return span.logs
    .map((log) => Object.fromEntries(log.data.map((d) => [d.key, d.value])))
    .filter((fields) => fields.event === 'error');
}
