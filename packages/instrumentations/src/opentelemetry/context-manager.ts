import { AsyncLocalStorage } from 'node:async_hooks';
import { NOOP_SPAN, type Span, type Tracer } from '@windsock/core';
import type * as otel from '@opentelemetry/api';
import { type SpanAdapter, windsockSpanOf } from './span-adapter.js';

/** The API's key for the active span (`createContextKey` is `Symbol.for`, shared by every copy of the API). */
export const SPAN_KEY = Symbol.for('OpenTelemetry Context Key SPAN');

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
    if (key === SPAN_KEY) return new BridgeContext(value, this.values);
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

/** A context OpenTelemetry code made active, and the windsock span that was active with it. */
interface Frame {
  readonly context: otel.Context;
  readonly span: Span | undefined;
}

/**
 * OpenTelemetry's `ContextManager` on windsock's async context: one context for both APIs. The active span is always
 * windsock's (its AsyncLocalStorage), so a windsock span opened inside an OpenTelemetry span is its child and the
 * reverse. A second store keeps the OpenTelemetry context OpenTelemetry code made active (its span adapter, baggage,
 * a library's own keys) with the windsock span active at that moment; when windsock's active span differs, a windsock
 * span was opened inside, and the context is derived from it.
 */
export class BridgeContextManager implements otel.ContextManager {
  private readonly frames = new AsyncLocalStorage<Frame>();

  constructor(
    private readonly tracer: Tracer,
    /** The OpenTelemetry view of a windsock span (the adapter for spans OpenTelemetry started). */
    private readonly viewOf: (span: Span) => SpanAdapter,
  ) {}

  active(): otel.Context {
    const span = this.tracer.activeSpan();
    const frame = this.frames.getStore();
    if (frame === undefined) {
      return span === undefined ? EMPTY_CONTEXT : this.viewOf(span).context(spanOnly);
    }
    if (frame.span === span) return frame.context;
    // A windsock span opened inside the frame: the frame's values with that span.
    return span === undefined
      ? frame.context.deleteValue(SPAN_KEY)
      : frame.context.setValue(SPAN_KEY, this.viewOf(span));
  }

  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    context: otel.Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    const call = (): ReturnType<F> => fn.apply(thisArg, args);
    const span = windsockSpanOf(context.getValue(SPAN_KEY));
    if (span !== undefined && span !== NOOP_SPAN) {
      return this.frames.run({ context, span }, () => this.tracer.withSpan(span, call));
    }
    // No windsock span in it (the root context, or another provider's span): OpenTelemetry code sees the context as
    // given, and windsock's own spans keep the active windsock span as their parent.
    return this.frames.run({ context, span: this.tracer.activeSpan() }, call);
  }

  /** Runs `fn` with `span` active in the active context: `startActiveSpan` without a context given. */
  withActiveSpan<T>(span: SpanAdapter, fn: () => T): T {
    const outer = this.frames.getStore();
    const context =
      outer === undefined ? span.context(spanOnly) : outer.context.setValue(SPAN_KEY, span);
    return this.frames.run({ context, span: span.record }, () =>
      this.tracer.withSpan(span.record, fn),
    );
  }

  bind<T>(context: otel.Context, target: T): T {
    if (typeof target !== 'function') return target;
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the bound function keeps its own `this`
    const manager = this;
    const fn = target as unknown as (...args: unknown[]) => unknown;
    return function bound(this: unknown, ...args: unknown[]) {
      return manager.with(context, fn, this, ...args);
    } as unknown as T;
  }

  enable(): this {
    return this;
  }

  disable(): this {
    return this;
  }
}

function spanOnly(span: SpanAdapter): otel.Context {
  return new BridgeContext(span, undefined);
}
