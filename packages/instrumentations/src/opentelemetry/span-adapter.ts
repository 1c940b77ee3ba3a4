import { type InstrumentationSettings, NOOP_SPAN, type Span } from '@windsock/core';
import type * as otel from '@opentelemetry/api';
import {
  type AttributeHolder,
  type AttributeState,
  type OtelAttributes,
  writeAttribute,
  writeAttributes,
} from './attributes.js';
import {
  BridgeContext,
  EMPTY_CONTEXT,
  kWindsockSpan,
  SPAN_KEY,
  withSpan,
} from './bridge-context.js';
import { otelSpanId, otelTraceId } from './otel-ids.js';

// On a windsock span OpenTelemetry code started and made active: its adapter, which `context.active()` returns while
// the span is active. Core spans have no slot for it, and a WeakMap of spans keeps short-lived spans alive.
const kAdapter = Symbol.for('windsock.otel.adapter');

/** The adapter of a windsock span OpenTelemetry code started and made active (`SpanAdapter.activate`). */
export function activatedAdapterOf(record: Span): SpanAdapter | undefined {
  return (record as { [kAdapter]?: SpanAdapter })[kAdapter];
}

const STATUS_ERROR = 2; // SpanStatusCode.ERROR

/**
 * An OpenTelemetry `Span` over a windsock span. A span OpenTelemetry code started is `owned`: it ends it. A windsock
 * span seen through the API (`trace.getActiveSpan()` inside an HTTP request) takes attributes, events and errors
 * but not `end`: the plugin that opened it ends it. Every method is safe in any state and never throws.
 */
export class SpanAdapter implements otel.Span, otel.Context, AttributeHolder {
  readonly [kWindsockSpan]: Span;
  /** Made by the first attribute write that needs it: most spans have no unmapped or HTTP route attributes. */
  attributeState: AttributeState | undefined;
  private ids: otel.SpanContext | undefined;
  /** Set by an ERROR status; logged when the span ends unless an exception was recorded (which carries more). */
  private errorStatus: string | undefined;
  private exceptionRecorded = false;

  constructor(
    record: Span,
    private readonly settings: InstrumentationSettings,
    private readonly owned: boolean,
  ) {
    this[kWindsockSpan] = record;
  }

  get record(): Span {
    return this[kWindsockSpan];
  }

  // The adapter is also the context holding just this span: what `context.active()` returns while it is active,
  // with nothing to allocate.

  getValue(key: symbol): unknown {
    return key === SPAN_KEY ? this : undefined;
  }

  setValue(key: symbol, value: unknown): otel.Context {
    if (key === SPAN_KEY) return withSpan(value, undefined);
    return new BridgeContext(this, new Map([[key, value]]));
  }

  deleteValue(key: symbol): otel.Context {
    return key === SPAN_KEY ? EMPTY_CONTEXT : this;
  }

  /**
   * Marks the windsock span as this adapter's before it is made active without a context of its own, so that
   * `context.active()` finds this adapter (and `end()` through `trace.getActiveSpan()` ends it).
   */
  activate(): void {
    const record = this[kWindsockSpan] as { [kAdapter]?: SpanAdapter };
    if (this.owned && record !== NOOP_SPAN && record[kAdapter] === undefined)
      record[kAdapter] = this;
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
    if (attributes === undefined) return;
    try {
      writeAttributes(this.record, this.settings, this, attributes);
    } catch {
      // A hostile attribute object: keep what was written.
    }
  }

  setAttribute(key: string, value: otel.SpanAttributeValue): this {
    try {
      const operation = writeAttribute(this.record, this.settings, this, String(key), value);
      if (operation !== undefined) this.record.setOperationName(operation);
    } catch {
      // Never into the caller.
    }
    return this;
  }

  setAttributes(attributes: otel.SpanAttributes): this {
    try {
      const operation = writeAttributes(this.record, this.settings, this, attributes);
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
