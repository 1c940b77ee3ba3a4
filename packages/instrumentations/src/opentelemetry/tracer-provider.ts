import {
  type EntrySpanOptions,
  type InstrumentationSettings,
  NOOP_SPAN,
  type Span,
  type Tracer,
} from '@windsock/core';
import { SpanLayer } from '@windsock/protocol';
import type * as otel from '@opentelemetry/api';
import { type OtelAttributes } from './attributes.js';
import { SPAN_KEY, windsockSpanOf } from './bridge-context.js';
import { BridgedSpan, useBridgeSettings } from './bridged-span.js';
import { BridgeContextManager } from './context-manager.js';
import {
  operationOf,
  OtelSpanKind,
  peerOf,
  shapeOf,
  type SpanShape,
  UNKNOWN_SHAPE,
} from './span-start.js';
import { SpanView } from './span-view.js';

/** What OpenTelemetry code holds as a span: a bridged span, or a view of a windsock span it did not start. */
export type OtelSpan = BridgedSpan | SpanView;

const NO_ATTRIBUTES: OtelAttributes = Object.freeze({});

// @opentelemetry/core's `suppressTracing` key: exporters and SDK internals mark their own work with it.
const SUPPRESS_TRACING_KEY = Symbol.for('OpenTelemetry SDK Context Key SUPPRESS_TRACING');

/**
 * OpenTelemetry's `TracerProvider` backed by windsock's tracer: every span OpenTelemetry code starts is a windsock
 * span in windsock's context. When the application registers a provider of its own after windsock did, windsock
 * stands back (`standBack`) and its tracers, which libraries may already hold, forward to the application's.
 */
export class BridgeTracerProvider implements otel.TracerProvider {
  readonly contextManager: BridgeContextManager;
  /** The application's provider, once windsock stood back for it. */
  replacement: otel.TracerProvider | undefined;
  private readonly tracers = new Map<string, BridgeTracer>();
  // The last view made, so repeated `trace.getActiveSpan()` calls in one windsock span return one object. Not a
  // WeakMap of every span: a map whose values hold their keys keeps short-lived spans alive into old space.
  private lastView: SpanView | undefined;
  /** What a suppressed context gets: one span for all, recording nothing. */
  readonly nonRecording: SpanView;
  // The tracer's options for an entry span of each shape, made once per shape and shared.
  private readonly rootOptions = new Map<SpanShape, EntrySpanOptions>();

  constructor(
    readonly tracer: Tracer,
    readonly settings: InstrumentationSettings,
  ) {
    this.contextManager = new BridgeContextManager(tracer, (span) => this.viewOf(span));
    this.nonRecording = new SpanView(NOOP_SPAN, settings);
    useBridgeSettings(tracer, settings);
  }

  getTracer(name: string, version?: string, options?: otel.TracerOptions): otel.Tracer {
    const key = `${name}@${version ?? ''}`;
    let tracer = this.tracers.get(key);
    if (tracer === undefined) {
      tracer = new BridgeTracer(this, name, version, options);
      this.tracers.set(key, tracer);
    }
    return tracer;
  }

  /**
   * The OpenTelemetry view of a windsock span that is active without an OpenTelemetry context of its own: one
   * opened by windsock's API or a plugin, seen from OpenTelemetry code.
   */
  viewOf(span: Span): OtelSpan {
    // A bridged span (of any loaded copy of the bridge) is its own view.
    if (windsockSpanOf(span) === span) return span as BridgedSpan;
    const last = this.lastView;
    if (last?.record === span) return last;
    return (this.lastView = new SpanView(span, this.settings));
  }

  /**
   * `startSpan(name)`, with neither options nor a context, as `startActiveSpan(name, fn)` starts its span: a local
   * span under windsock's active span, with nothing to decide.
   */
  startPlainSpan(name: string): OtelSpan {
    if (this.contextManager.inFrame()) return this.startSpan(name, undefined, undefined);
    // The tracer turns the name into a string, and a name that cannot be into its no-op span.
    const record = this.tracer.startLocalSpan(name, UNKNOWN_SHAPE);
    return record instanceof BridgedSpan ? record : this.nonRecording;
  }

  /** Opens the windsock span for an OpenTelemetry span; see the README's table for the rules. */
  startSpan(
    name: string,
    options: otel.SpanOptions | undefined,
    context: otel.Context | undefined,
  ): OtelSpan {
    let record: Span;
    let attributes: OtelAttributes | undefined;
    try {
      // Without a context and outside any frame the parent is windsock's active span: make no context for it.
      const parentContext = context ?? this.contextManager.activeFrameContext();
      if (parentContext?.getValue(SUPPRESS_TRACING_KEY) === true) return this.nonRecording;
      attributes = options?.attributes;
      const kind = options?.kind ?? OtelSpanKind.INTERNAL;
      record =
        parentContext === undefined && options?.root !== true
          ? // The parent is windsock's active span, which the tracer reads itself.
            this.open(String(name), kind, attributes, undefined)
          : this.openIn(
              options?.root === true
                ? undefined
                : windsockSpanOf(parentContext?.getValue(SPAN_KEY)),
              String(name),
              kind,
              attributes,
            );
    } catch {
      // A name, options or attributes that throw when read (a getter, a throwing toString): nothing was opened yet.
      return this.nonRecording;
    }
    // The tracer makes every span of this provider as its span class; the no-op span is all it returns otherwise.
    if (!(record instanceof BridgedSpan)) return this.nonRecording;
    if (attributes !== undefined) record.startAttributes(attributes, this.settings);
    return record;
  }

  /** Opens the span as a child of `parent`, or of nothing (a new trace) when it is undefined. */
  private openIn(
    parent: Span | undefined,
    name: string,
    kind: number,
    attributes: OtelAttributes | undefined,
  ): Span {
    if (parent === this.tracer.activeSpan())
      return this.open(name, kind, attributes, parent !== undefined);
    // A context without a windsock span (the root context, `root: true`): a new trace, as in OpenTelemetry.
    if (parent === undefined)
      return this.tracer.withoutSpan(() => this.open(name, kind, attributes, false));
    if (parent === NOOP_SPAN) return NOOP_SPAN;
    return this.tracer.withSpan(parent, () => this.open(name, kind, attributes, true));
  }

  /** `hasParent` undefined: whether a windsock span is active, read only where it matters. */
  private open(
    name: string,
    kind: number,
    attributes: OtelAttributes | undefined,
    hasParent: boolean | undefined,
  ): Span {
    if (attributes === undefined && kind === OtelSpanKind.INTERNAL) {
      return this.tracer.startLocalSpan(name, UNKNOWN_SHAPE);
    }
    const a = attributes ?? NO_ATTRIBUTES;
    // A shape is the tracer's options for a bridged span: passed as it is.
    const shape = shapeOf(kind, a);
    const operation = operationOf(name, a);
    if (
      (kind === OtelSpanKind.SERVER || kind === OtelSpanKind.CONSUMER) &&
      !(hasParent ?? this.tracer.activeSpan() !== undefined)
    ) {
      // Work arriving from outside with no windsock span around it (a consumer loop, a server windsock does not
      // instrument): an entry span, never a child of whatever context the callback happened to run in.
      return this.tracer.startEntrySpan(operation, this.rootOptionsOf(shape));
    }
    const peer =
      kind === OtelSpanKind.CLIENT || kind === OtelSpanKind.PRODUCER ? peerOf(a) : undefined;
    if (peer !== undefined) {
      const span = this.tracer.startExitSpan(operation, peer, shape);
      if (shape.layer === SpanLayer.MQ) span.tag('mq.broker', peer);
      return span;
    }
    return this.tracer.startLocalSpan(operation, shape);
  }

  private rootOptionsOf(shape: SpanShape): EntrySpanOptions {
    let options = this.rootOptions.get(shape);
    if (options === undefined) {
      options = Object.freeze({ ...shape, root: true });
      this.rootOptions.set(shape, options);
    }
    return options;
  }
}

/** One `Tracer` per instrumentation scope; the scope itself is not recorded (SkyWalking spans have none). */
class BridgeTracer implements otel.Tracer {
  private replacementTracer: otel.Tracer | undefined;

  constructor(
    private readonly provider: BridgeTracerProvider,
    private readonly name: string,
    private readonly version: string | undefined,
    private readonly options: otel.TracerOptions | undefined,
  ) {}

  startSpan(name: string, options?: otel.SpanOptions, context?: otel.Context): otel.Span {
    const replacement = this.replaced();
    if (replacement !== undefined) return replacement.startSpan(name, options, context);
    return this.provider.startSpan(name, options, context);
  }

  startActiveSpan<F extends (span: otel.Span) => unknown>(name: string, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: otel.Span) => unknown>(
    name: string,
    options: otel.SpanOptions,
    fn: F,
  ): ReturnType<F>;
  startActiveSpan<F extends (span: otel.Span) => unknown>(
    name: string,
    options: otel.SpanOptions,
    context: otel.Context,
    fn: F,
  ): ReturnType<F>;
  // Positional rather than rest parameters: no array per span.
  startActiveSpan<F extends (span: otel.Span) => unknown>(
    name: string,
    second: otel.SpanOptions | F,
    third?: otel.Context | F,
    fourth?: F,
  ): ReturnType<F> {
    const replacement = this.replaced();
    if (replacement !== undefined) {
      return (replacement.startActiveSpan as (...args: unknown[]) => ReturnType<F>).apply(
        replacement,
        // eslint-disable-next-line prefer-rest-params -- passes the call on as it was made
        arguments as unknown as unknown[],
      );
    }
    const given = arguments.length;
    const fn = (given === 2 ? second : given === 3 ? third : fourth) as F;
    const options = given >= 3 ? (second as otel.SpanOptions | undefined) : undefined;
    const context = given >= 4 ? (third as otel.Context | undefined) : undefined;
    const span =
      given === 2
        ? this.provider.startPlainSpan(name)
        : this.provider.startSpan(name, options, context);
    const manager = this.provider.contextManager;
    if (context === undefined && span instanceof BridgedSpan) {
      // Active in the active context: windsock's span is all there is to set (`active()` derives the context).
      return this.provider.tracer.withSpan(span, () => fn(span)) as ReturnType<F>;
    }
    const parent = context ?? manager.active();
    return manager.with(parent.setValue(SPAN_KEY, span), () => fn(span)) as ReturnType<F>;
  }

  private replaced(): otel.Tracer | undefined {
    const provider = this.provider.replacement;
    if (provider === undefined) return undefined;
    return (this.replacementTracer ??= provider.getTracer(this.name, this.version, this.options));
  }
}
