import { NOOP_SPAN, type Span } from '@windsock/core';
import type * as otel from '@opentelemetry/api';
import { AttributeState } from './attributes.js';
import { otelSpanId, otelTraceId } from './otel-ids.js';

/**
 * What an OpenTelemetry span keeps beyond its windsock span. Made by the first call that needs it (an ERROR status,
 * an unmapped or HTTP route attribute, `spanContext()`): most spans never do.
 */
export class OtelSpanState extends AttributeState {
  ids: otel.SpanContext | undefined = undefined;
  /** Set by an ERROR status; logged when the span ends unless an exception was recorded (which carries more). */
  errorStatus: string | undefined = undefined;
  exceptionRecorded = false;
}

export const STATUS_ERROR = 2; // SpanStatusCode.ERROR

const INVALID_IDS: otel.SpanContext = Object.freeze({
  traceId: '00000000000000000000000000000000',
  spanId: '0000000000000000',
  traceFlags: 0,
});

/** The OpenTelemetry ids of a windsock span (the invalid ids for the no-op span). */
export function spanContextOf(record: Span): otel.SpanContext {
  if (record === NOOP_SPAN) return INVALID_IDS;
  return {
    traceId: otelTraceId(record.traceId),
    spanId: otelSpanId(record.segmentId, record.spanId),
    traceFlags: record.sampled ? 1 : 0,
  };
}

/** The log fields of `addEvent(name, attributesOrTime)`: the second argument may be a time rather than attributes. */
export function eventFields(
  name: string,
  attributesOrTime: otel.SpanAttributes | otel.TimeInput | undefined,
): Record<string, unknown> {
  const attributes =
    typeof attributesOrTime === 'object' &&
    !Array.isArray(attributesOrTime) &&
    !(attributesOrTime instanceof Date)
      ? attributesOrTime
      : undefined;
  return { event: String(name), ...attributes };
}
