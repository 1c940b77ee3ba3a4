import {
  DEFAULT_INSTRUMENTATION_SETTINGS,
  type InstrumentationSettings,
  type Span,
  SpanRecord,
} from '@windsock/core';
import type * as otel from '@opentelemetry/api';
import { type AttributeHolder, type OtelAttributes, writeAttributes } from './attributes.js';
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

// The instrumentation settings of each tracer's bridge, for attributes set after a span started. Not a field (every
// span would carry it) nor a subclass per bridge with them on its prototype (one more constructor per span).
const settingsByTracer = new WeakMap<object, InstrumentationSettings>();

/** Sets the instrumentation settings the bridged spans of `tracer` apply. */
export function useBridgeSettings(tracer: object, settings: InstrumentationSettings): void {
  settingsByTracer.set(tracer, settings);
}

/**
 * A span OpenTelemetry code started: windsock's span itself, made by the tracer as this subclass (`spanClass`), with
 * the OpenTelemetry `Span` methods. No wrapper per span and no link from the windsock span to one: what
 * `context.active()` finds as windsock's active span is already the OpenTelemetry span. It is also the context
 * holding just itself, so making it active allocates no context. Every method is safe in any state and never throws.
 */
export class BridgedSpan extends SpanRecord implements otel.Span, otel.Context, AttributeHolder {
  private otelState: OtelSpanState | undefined = undefined;

  /** Read by `windsockSpanOf`: a bridged span is its own windsock span. */
  get [kWindsockSpan](): Span {
    return this;
  }

  attributeState(): OtelSpanState {
    return (this.otelState ??= new OtelSpanState());
  }

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
    return (state.ids ??= spanContextOf(this));
  }

  private get settings(): InstrumentationSettings {
    return settingsByTracer.get(this.segment.tracer) ?? DEFAULT_INSTRUMENTATION_SETTINGS;
  }

  /**
   * Tags the start attributes with the settings of the bridge that started the span; the operation name they imply
   * was set when the span opened.
   */
  startAttributes(attributes: OtelAttributes | undefined, settings: InstrumentationSettings): void {
    if (attributes === undefined) return;
    try {
      writeAttributes(this, settings, this, attributes);
    } catch {
      // A hostile attribute object: keep what was written.
    }
  }

  setAttribute(key: string, value: otel.SpanAttributeValue): this {
    setSpanAttribute(this, this.settings, this, key, value);
    return this;
  }

  setAttributes(attributes: otel.SpanAttributes): this {
    setSpanAttributes(this, this.settings, this, attributes);
    return this;
  }

  addEvent(name: string, attributesOrTime?: otel.SpanAttributes | otel.TimeInput): this {
    addSpanEvent(this, name, attributesOrTime);
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
      if ((status?.code as number | undefined) === STATUS_ERROR)
        this.attributeState().errorStatus = status.message ?? 'status ERROR';
    } catch {
      // Never into the caller.
    }
    return this;
  }

  updateName(name: string): this {
    this.setOperationName(String(name));
    return this;
  }

  /** Ends the span; the end time given is not used (windsock's clock times the span). */
  override end(): void {
    const state = this.otelState;
    if (state?.errorStatus !== undefined && !state.exceptionRecorded) this.error(state.errorStatus);
    super.end();
  }

  isRecording(): boolean {
    return this.sampled && !this.ended;
  }

  recordException(exception: otel.Exception): void {
    this.attributeState().exceptionRecorded = true;
    this.error(exception);
  }
}
