import type * as otel from '@opentelemetry/api';
import { type Span } from '@windsock/core';

/** The API's key for the active span (`createContextKey` is `Symbol.for`, shared by every copy of the API). */
export const SPAN_KEY = Symbol.for('OpenTelemetry Context Key SPAN');

// A property rather than `instanceof`, so that spans from another loaded copy of this module (the CJS and the ESM
// build side by side) are recognised too.
export const kWindsockSpan = Symbol.for('windsock.otel.span');

/**
 * The windsock span behind an OpenTelemetry span, when it is one of ours. Such a span is also the context holding
 * just itself (see `BridgedSpan`).
 */
export function windsockSpanOf(span: unknown): Span | undefined {
  if (typeof span !== 'object' || span === null) return undefined;
  return (span as { [kWindsockSpan]?: Span })[kWindsockSpan];
}

/** The context holding `span` and `values`: the span itself when it is one of ours and there are no values. */
export function withSpan(
  span: unknown,
  values: ReadonlyMap<symbol, unknown> | undefined,
): otel.Context {
  return values === undefined && windsockSpanOf(span) !== undefined
    ? (span as otel.Context)
    : new BridgeContext(span, values);
}

/**
 * An OpenTelemetry context: the span apart from every other value, so that replacing the span (what
 * `trace.setSpan(context.active(), span)` does on every span a library starts) copies no map.
 */
export class BridgeContext implements otel.Context {
  constructor(
    readonly span: unknown,
    /** Values other than the span (baggage, a library's keys); undefined when there are none. */
    readonly values: ReadonlyMap<symbol, unknown> | undefined,
  ) {}

  getValue(key: symbol): unknown {
    return key === SPAN_KEY ? this.span : this.values?.get(key);
  }

  setValue(key: symbol, value: unknown): otel.Context {
    if (key === SPAN_KEY) return withSpan(value, this.values);
    const values = new Map(this.values);
    values.set(key, value);
    return new BridgeContext(this.span, values);
  }

  deleteValue(key: symbol): otel.Context {
    if (key === SPAN_KEY) return new BridgeContext(undefined, this.values);
    if (this.values?.has(key) !== true) return this;
    const values = new Map(this.values);
    values.delete(key);
    return new BridgeContext(this.span, values.size === 0 ? undefined : values);
  }
}

export const EMPTY_CONTEXT = new BridgeContext(undefined, undefined);
