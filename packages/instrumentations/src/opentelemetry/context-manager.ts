import { AsyncLocalStorage } from 'node:async_hooks';
import { EventEmitter } from 'node:events';
import { NOOP_SPAN, type Span, type Tracer } from '@windsock/core';
import type * as otel from '@opentelemetry/api';
import { type AnyFunction, bindEmitter, bindFunction } from './bind-emitter.js';
import { BridgeContext, EMPTY_CONTEXT, SPAN_KEY, windsockSpanOf } from './bridge-context.js';
import { type OtelSpan } from './tracer-provider.js';

/** A context OpenTelemetry code made active, and the windsock span that was active with it. */
interface Frame {
  readonly context: otel.Context;
  readonly span: Span | undefined;
}

/**
 * OpenTelemetry's `ContextManager` on windsock's async context: one context for both APIs. The active span is always
 * windsock's (its AsyncLocalStorage), so a windsock span opened inside an OpenTelemetry span is its child and the
 * reverse. A context that holds nothing but a bridged span (what `startActiveSpan` and most libraries' `context.with`
 * make active) needs nothing more: `active()` derives it from windsock's active span. Only a context carrying more
 * (baggage, a library's own keys, no span or another provider's) is kept in a second store as a frame, with the
 * windsock span active at that moment; when windsock's active span differs, a span was opened inside the frame, and
 * the context is the frame's values with that span.
 */
export class BridgeContextManager implements otel.ContextManager {
  private readonly frames = new AsyncLocalStorage<Frame>();
  // Whether any frame was ever entered: until then no store can hold one, and spans skip reading it.
  private framed = false;

  constructor(
    private readonly tracer: Tracer,
    /** The OpenTelemetry span of a windsock span (itself for spans OpenTelemetry started). */
    private readonly viewOf: (span: Span) => OtelSpan,
  ) {}

  active(): otel.Context {
    const span = this.tracer.activeSpan();
    const frame = this.frame();
    // An OpenTelemetry span of ours is also the context holding just that span.
    if (frame === undefined) return span === undefined ? EMPTY_CONTEXT : this.viewOf(span);
    if (frame.span === span) return frame.context;
    // A windsock span opened inside the frame: the frame's values with that span.
    return span === undefined
      ? frame.context.deleteValue(SPAN_KEY)
      : frame.context.setValue(SPAN_KEY, this.viewOf(span));
  }

  /**
   * The context a span started without one is the child of, or undefined when that is simply windsock's active
   * span: no context is made for the question.
   */
  activeFrameContext(): otel.Context | undefined {
    return this.frame() === undefined ? undefined : this.active();
  }

  /** Whether a context carrying more than a span is active (a frame): only then is the active context not a span. */
  inFrame(): boolean {
    return this.frame() !== undefined;
  }

  private frame(): Frame | undefined {
    return this.framed ? this.frames.getStore() : undefined;
  }

  private runFrame<T>(frame: Frame, fn: () => T): T {
    this.framed = true;
    return this.frames.run(frame, fn);
  }

  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    context: otel.Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    const call = (): ReturnType<F> => fn.apply(thisArg, args);
    const otelSpan = context.getValue(SPAN_KEY);
    const span = windsockSpanOf(otelSpan);
    if (span !== undefined && span !== NOOP_SPAN) {
      if (
        context === otelSpan ||
        (context instanceof BridgeContext && context.values === undefined)
      ) {
        // Just a span: derived from windsock's context, unless an outer frame's values would show through.
        if (this.frame() === undefined) return this.tracer.withSpan(span, call);
      }
      return this.runFrame({ context, span }, () => this.tracer.withSpan(span, call));
    }
    if (span === NOOP_SPAN) {
      // A span that records nothing (a suppressed context): windsock's own spans keep the active span as parent.
      return this.runFrame({ context, span: this.tracer.activeSpan() }, call);
    }
    // No windsock span in it (the root context, another provider's span): as in OpenTelemetry, no span is active
    // inside, so windsock's own spans started there begin new traces too.
    return this.runFrame({ context, span: undefined }, () => this.tracer.withoutSpan(call));
  }

  bind<T>(context: otel.Context, target: T): T {
    if (target instanceof EventEmitter) return bindEmitter(this, context, target);
    if (typeof target !== 'function') return target;
    return bindFunction(this, context, target as unknown as AnyFunction) as unknown as T;
  }

  enable(): this {
    return this;
  }

  disable(): this {
    return this;
  }
}
