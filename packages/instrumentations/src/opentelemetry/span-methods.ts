// The OpenTelemetry `Span` and `Context` methods the two span classes implement alike over a windsock span:
// `BridgedSpan` is that span (it must extend core's class) and `SpanView` wraps one a plugin opened, so they share
// these functions rather than a base class. None of them throws into the caller.
import { type InstrumentationSettings, type Span } from '@windsock/core';
import type * as otel from '@opentelemetry/api';
import { type AttributeHolder, writeAttribute, writeAttributes } from './attributes.js';
import { BridgeContext, EMPTY_CONTEXT, SPAN_KEY, withSpan } from './bridge-context.js';
import { eventFields } from './otel-span-state.js';

/** `getValue` of a span that is the context holding just itself. */
export function spanContextValue(self: otel.Context, key: symbol): unknown {
  return key === SPAN_KEY ? self : undefined;
}

/** `setValue` of such a context: another span replaces it, another key keeps it beside the value. */
export function spanContextWith(self: otel.Context, key: symbol, value: unknown): otel.Context {
  if (key === SPAN_KEY) return withSpan(value, undefined);
  return new BridgeContext(self, new Map([[key, value]]));
}

/** `deleteValue` of such a context. */
export function spanContextWithout(self: otel.Context, key: symbol): otel.Context {
  return key === SPAN_KEY ? EMPTY_CONTEXT : self;
}

/** `setAttribute`: a tag by the mapping table, and the rename it implies, if any. */
export function setSpanAttribute(
  record: Span,
  settings: InstrumentationSettings,
  holder: AttributeHolder,
  key: string,
  value: otel.SpanAttributeValue,
): void {
  try {
    const operation = writeAttribute(record, settings, holder, String(key), value);
    if (operation !== undefined) record.setOperationName(operation);
  } catch {
    // Never into the caller.
  }
}

/** `setAttributes`: tags by the mapping table, and the rename they imply, if any. */
export function setSpanAttributes(
  record: Span,
  settings: InstrumentationSettings,
  holder: AttributeHolder,
  attributes: otel.SpanAttributes,
): void {
  try {
    const operation = writeAttributes(record, settings, holder, attributes);
    if (operation !== undefined) record.setOperationName(operation);
  } catch {
    // A hostile attribute object: keep what was written.
  }
}

/** `addEvent`: a log on the span. */
export function addSpanEvent(
  record: Span,
  name: string,
  attributesOrTime?: otel.SpanAttributes | otel.TimeInput,
): void {
  try {
    record.log(eventFields(name, attributesOrTime));
  } catch {
    // Never into the caller.
  }
}
