import { type InstrumentationSettings, NOOP_SPAN, type Span } from '@windsock/core';
import type * as otel from '@opentelemetry/api';
import { AttributeTags, type OtelAttributes } from './attributes.js';
import { otelSpanId, otelTraceId } from './otel-ids.js';

// A property rather than `instanceof`, so that spans from another loaded copy of this module (the CJS and the ESM
// build side by side) are recognised too.
const kWindsockSpan = Symbol.for('windsock.otel.span');

/** The windsock span behind an OpenTelemetry span, when it is one of ours. */
export function windsockSpanOf(span: unknown): Span | undefined {
  if (typeof span !== 'object' || span === null) return undefined;
  return (span as { [kWindsockSpan]?: Span })[kWindsockSpan];
}

const STATUS_ERROR = 2; // SpanStatusCode.ERROR

/**
 * An OpenTelemetry `Span` over a windsock span. A span OpenTelemetry code started is `owned`: it ends it. A windsock
 * span seen through the API (`trace.getActiveSpan()` inside an HTTP request) takes attributes, events and errors
 * but not `end`: the plugin that opened it ends it. Every method is safe in any state and never throws.
 */
export class SpanAdapter implements otel.Span {
  readonly [kWindsockSpan]: Span;
  private readonly tags: AttributeTags;
  private ids: otel.SpanContext | undefined;
  /** Set by an ERROR status; logged when the span ends unless an exception was recorded (which carries more). */
  private errorStatus: string | undefined;
  private exceptionRecorded = false;
  /** The context holding just this span, made once: what `context.active()` returns while it is active. */
  private ownContext: otel.Context | undefined;

  constructor(
    readonly record: Span,
    settings: InstrumentationSettings,
    private readonly owned: boolean,
  ) {
    this[kWindsockSpan] = record;
    this.tags = new AttributeTags(record, settings);
  }

  /** The context holding only this span, made with `make` the first time. */
  context(make: (span: SpanAdapter) => otel.Context): otel.Context {
    return (this.ownContext ??= make(this));
  }

  spanContext(): otel.SpanContext {
    if (this.ids !== undefined) return this.ids;
    const record = this.record;
    this.ids =
      record === NOOP_SPAN
        ? { traceId: '00000000000000000000000000000000', spanId: '0000000000000000', traceFlags: 0 }
        : {
            traceId: otelTraceId(record.traceId),
            spanId: otelSpanId(record.segmentId, record.spanId),
            traceFlags: record.sampled ? 1 : 0,
          };
    return this.ids;
  }

  /** Tags the start attributes; the operation name they imply was set when the span opened. */
  startAttributes(attributes: OtelAttributes | undefined): void {
    try {
      this.tags.writeAll(attributes);
    } catch {
      // A hostile attribute object: keep what was written.
    }
  }

  setAttribute(key: string, value: otel.SpanAttributeValue): this {
    try {
      const operation = this.tags.write(String(key), value);
      if (operation !== undefined) this.record.setOperationName(operation);
    } catch {
      // Never into the caller.
    }
    return this;
  }

  setAttributes(attributes: otel.SpanAttributes): this {
    try {
      const operation = this.tags.writeAll(attributes);
      if (operation !== undefined) this.record.setOperationName(operation);
    } catch {
      // Never into the caller.
    }
    return this;
  }

  addEvent(name: string, attributesOrTime?: otel.SpanAttributes | otel.TimeInput): this {
    try {
      const attributes =
        typeof attributesOrTime === 'object' &&
        !Array.isArray(attributesOrTime) &&
        !(attributesOrTime instanceof Date)
          ? attributesOrTime
          : undefined;
      this.record.log({ event: String(name), ...attributes });
    } catch {
      // Never into the caller.
    }
    return this;
  }

  // SkyWalking spans have no links; a span's parent is its only relation.
  addLink(): this {
    return this;
  }

  addLinks(): this {
    return this;
  }

  setStatus(status: otel.SpanStatus): this {
    try {
      if ((status?.code as number | undefined) !== STATUS_ERROR) return this;
      this.errorStatus = status.message ?? 'status ERROR';
      if (!this.owned) this.record.error(this.errorStatus);
    } catch {
      // Never into the caller.
    }
    return this;
  }

  updateName(name: string): this {
    this.record.setOperationName(String(name));
    return this;
  }

  end(): void {
    if (!this.owned) return;
    if (this.errorStatus !== undefined && !this.exceptionRecorded)
      this.record.error(this.errorStatus);
    this.record.end();
  }

  isRecording(): boolean {
    return this.record !== NOOP_SPAN && this.record.sampled && !this.record.ended;
  }

  recordException(exception: otel.Exception): void {
    this.exceptionRecorded = true;
    this.record.error(exception);
  }
}
