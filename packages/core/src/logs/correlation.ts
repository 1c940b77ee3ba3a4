import { activeSpan } from '../tracing/context.js';
import { type SpanRecord } from '../tracing/span.js';

/** The fields a log line carries to be found from its trace in the SkyWalking UI (and back). */
export interface CorrelationFields {
  traceId: string;
  segmentId: string;
  spanId: number;
}

/**
 * `{ traceId, segmentId, spanId }` of the active span, or undefined outside a sampled trace. Process-wide: it sees
 * spans of any tracer, whichever entry point or module format it is imported from. A fresh object each call, so a
 * logger may merge into it.
 */
export function correlationFields(): CorrelationFields | undefined {
  return correlationOf(activeSpan());
}

/** The correlation fields of `span`; undefined when there is none or its trace is not sampled. */
export function correlationOf(span: SpanRecord | undefined): CorrelationFields | undefined {
  if (span === undefined || !span.segment.sampled) return undefined;
  return {
    traceId: span.segment.data.traceId,
    segmentId: span.segment.data.traceSegmentId,
    spanId: span.data.spanId,
  };
}

/** Whether `key` is one of the correlation fields (integrations leave them out of reported attributes). */
export function isCorrelationKey(key: string): boolean {
  return key === 'traceId' || key === 'segmentId' || key === 'spanId';
}
