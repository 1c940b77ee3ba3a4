import { type InstrumentationSettings, NOOP_SPAN, type Span } from '@windsock/core';
import type * as otel from '@opentelemetry/api';
import { type AttributeHolder } from './attributes.js';
import { kWindsockSpan } from './bridge-context.js';
import {
  addSpanEvent,
  setSpanAttribute,
  setSpanAttributes,
  spanContextValue,
  spanContextWith,
  spanContextWithout,
} from './span-methods.js';
import { OtelSpanState, spanContextOf, STATUS_ERROR } from './otel-span-state.js';

/**
 * An OpenTelemetry `Span` over a windsock span OpenTelemetry code did not start: one a plugin or windsock's API
 * opened, seen through `trace.getActiveSpan()` (and the no-op span, what a suppressed context gets). It takes
 * attributes, events and errors but not `end`: the plugin that opened it ends it. Every method is safe in any state
 * and never throws.
 */
export class SpanView implements otel.Span, otel.Context, AttributeHolder {
  readonly [kWindsockSpan]: Span;
  private state: OtelSpanState | undefined;

  constructor(
    record: Span,
    private readonly settings: InstrumentationSettings,
  ) {
    this[kWindsockSpan] = record;
  }

  get record(): Span {
    return this[kWindsockSpan];
  }

  attributeState(): OtelSpanState {
    return (this.state ??= new OtelSpanState());
  }

  // The view is also the context holding just this span.

  getValue(key: symbol): unknown {
    return spanContextValue(this, key);
  }

  setValue(key: symbol, value: unknown): otel.Context {
    return spanContextWith(this, key, value);
  }

  deleteValue(key: symbol): otel.Context {
    return spanContextWithout(this, key);
  }

  spanContext(): otel.SpanContext {
    const state = this.attributeState();
    return (state.ids ??= spanContextOf(this.record));
  }

  setAttribute(key: string, value: otel.SpanAttributeValue): this {
    setSpanAttribute(this.record, this.settings, this, key, value);
    return this;
  }

  setAttributes(attributes: otel.SpanAttributes): this {
    setSpanAttributes(this.record, this.settings, this, attributes);
    return this;
  }

  addEvent(name: string, attributesOrTime?: otel.SpanAttributes | otel.TimeInput): this {
    addSpanEvent(this.record, name, attributesOrTime);
    return this;
  }

  addLink(): this {
    return this;
  }

  addLinks(): this {
    return this;
  }

  /** Marks the span at once: the plugin that ends it does not know about OpenTelemetry's pending status. */
  setStatus(status: otel.SpanStatus): this {
    try {
      if ((status?.code as number | undefined) === STATUS_ERROR)
        this.record.error(status.message ?? 'status ERROR');
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
    // The plugin that opened the span ends it.
  }

  isRecording(): boolean {
    return this.record !== NOOP_SPAN && this.record.sampled && !this.record.ended;
  }

  recordException(exception: otel.Exception): void {
    this.record.error(exception);
  }
}
