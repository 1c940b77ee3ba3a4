import {
  ComponentId,
  encodeSw8Name,
  SpanLayer,
  SpanType,
  SW8_HEADER,
  Sw8Decoder,
  type SegmentReference,
} from '@windsock/protocol';
import { enterAgent, leaveAgent } from '../diagnostics/agent-guard.js';
import { activeSpan, contextStorage, SUPPRESSED } from './context.js';
import { writeHeader } from '../propagation/carriers.js';
import { IgnoreRules } from './ignore-rules.js';
import { nextId } from './ids.js';
import {
  HttpInstrumentation,
  type InstrumentationName,
} from '../instrumentation/http-instrumentation.js';
import { rememberManualSw8 } from '../propagation/manual-sw8.js';
import { crossProcessRef, crossThreadRef, extract, injectHeaders } from '../propagation/sw8.js';
import { RateSampler } from './sampler.js';
import {
  checkTracerOptions,
  DEFAULT_MAX_SPANS_PER_SEGMENT,
  DEFAULT_MAX_TAG_VALUE_LENGTH,
  type TracerOptions,
} from './tracer-options.js';
import { type Sink } from '../sink.js';
import { Segment, type SegmentOwner } from './segment.js';
import {
  DEFAULT_MAX_ERROR_STACK_LENGTH,
  isSpanRecord,
  NOOP_SPAN,
  type SpanRecord,
} from './span.js';
import {
  type ActiveContext,
  type EntrySpanOptions,
  type ExitSpanOptions,
  type HeaderSource,
  type HeaderTarget,
  type LocalSpanOptions,
  type Span,
  type TracerStats,
} from './types.js';

export {
  DEFAULT_MAX_SPANS_PER_SEGMENT,
  DEFAULT_MAX_TAG_VALUE_LENGTH,
  type TracerOptions,
} from './tracer-options.js';

/**
 * Produces segments from spans and hands each finished one to the sink. Nothing here blocks, touches the
 * network or throws into the caller: every public method returns a usable value on any input.
 */
export class Tracer implements SegmentOwner {
  readonly serviceName: string;
  readonly serviceInstance: string;
  readonly maxSpansPerSegment: number;
  readonly maxTagValueLength: number;
  readonly maxErrorStackLength: number;
  /** @internal Live counters; read them through `stats()`. */
  readonly counters: TracerStats = {
    segmentsFinished: 0,
    segmentsUnsampled: 0,
    spansDropped: 0,
    valuesTruncated: 0,
    operationNamesTruncated: 0,
    malformedHeaders: 0,
    requestsIgnored: 0,
    propagationSkipped: 0,
    sinkErrors: 0,
  };
  /** @internal */
  readonly ignoreRules: IgnoreRules;
  /** @internal The service name as every `sw8` this tracer sends carries it. */
  readonly sw8Service: string;
  /** @internal The instance name as every `sw8` this tracer sends carries it. */
  readonly sw8ServiceInstance: string;
  /** @internal Decodes incoming `sw8`, remembering the callers it has seen (a bounded number). */
  readonly sw8Decoder = new Sw8Decoder();
  /** @internal The clock spans use (epoch ms). */
  readonly now: () => number;
  private readonly sink: Sink;
  private readonly sampler: RateSampler;
  private readonly disabledPlugins: ReadonlySet<string>;
  private http: HttpInstrumentation | undefined;

  constructor(options: TracerOptions) {
    this.serviceName = options.serviceName;
    this.serviceInstance = options.serviceInstance;
    this.sink = options.sink;
    checkTracerOptions(options);
    this.maxSpansPerSegment = options.maxSpansPerSegment ?? DEFAULT_MAX_SPANS_PER_SEGMENT;
    this.maxTagValueLength = options.maxTagValueLength ?? DEFAULT_MAX_TAG_VALUE_LENGTH;
    this.maxErrorStackLength = options.maxErrorStackLength ?? DEFAULT_MAX_ERROR_STACK_LENGTH;
    this.ignoreRules = new IgnoreRules(options.ignorePaths, options.ignoreMethods);
    this.sampler = new RateSampler(options.sampleRate ?? 1, options.random);
    this.disabledPlugins = new Set(options.disabledPlugins ?? []);
    this.now = options.now ?? Date.now;
    this.sw8Service = encodeSw8Name(this.serviceName);
    this.sw8ServiceInstance = encodeSw8Name(this.serviceInstance);
  }

  /**
   * Starts the span for work arriving from outside: continues the caller's trace when `headers` carry a valid
   * `sw8`, else becomes a child of the active span, else starts a new trace.
   */
  startEntrySpan(operation: string, options: EntrySpanOptions = {}): Span {
    try {
      // One context read serves both questions (suppressed? which parent?).
      const current = contextStorage.getStore();
      if (current === SUPPRESSED) return NOOP_SPAN;
      return this.openEntry(
        String(operation),
        options.headers,
        options.root === true ? undefined : current,
        options.layer ?? SpanLayer.Unknown,
        options.componentId ?? ComponentId.Unknown,
        options.spanClass,
      );
    } catch {
      return NOOP_SPAN;
    }
  }

  /** Starts the span for a call to another service at `peer` (`host:port`) and injects `sw8` into `headers`. */
  startExitSpan(operation: string, peer: string, options: ExitSpanOptions = {}): Span {
    try {
      const span = this.openExit(
        String(operation),
        String(peer),
        options.layer ?? SpanLayer.Unknown,
        options.componentId ?? ComponentId.Unknown,
        options.spanClass,
      );
      if (span !== undefined && options.headers !== undefined) {
        injectHeaders(span, span.data.peer, options.headers, writeHeaderTo);
      }
      return span ?? NOOP_SPAN;
    } catch {
      return NOOP_SPAN;
    }
  }

  /** Starts a span for in-process work, child of the active span (or the root of a new trace). */
  startLocalSpan(operation: string, options: LocalSpanOptions = {}): Span {
    try {
      const current = contextStorage.getStore();
      if (current === SUPPRESSED) return NOOP_SPAN;
      return this.openChild(
        current,
        SpanType.Local,
        String(operation),
        '',
        options.layer ?? SpanLayer.Unknown,
        options.componentId ?? ComponentId.Unknown,
        options.spanClass,
      );
    } catch {
      return NOOP_SPAN;
    }
  }

  /** Runs `fn` with `span` active: spans started inside it, synchronously or later, become its children. */
  withSpan<T>(span: Span, fn: () => T): T {
    if (isSpanRecord(span)) return contextStorage.run(span, fn);
    return fn();
  }

  /**
   * Runs `fn` with no active span: spans started inside it, synchronously or later, begin new traces. A suppressed
   * context stays suppressed.
   */
  withoutSpan<T>(fn: () => T): T {
    const current = contextStorage.getStore();
    if (current === undefined || current === SUPPRESSED) return fn();
    // `run(undefined)` is what the experimental `exit()` does; the store's type has no undefined to give.
    return contextStorage.run(undefined as unknown as SpanRecord, fn);
  }

  /** The active span, if any. */
  activeSpan(): Span | undefined {
    return activeSpan();
  }

  /**
   * The entry span of the active span's segment while it is open: for an HTTP request, the span a web framework
   * renames after the matched route, whichever middleware or local span is active when the route is known.
   */
  activeEntrySpan(): Span | undefined {
    const entry = activeSpan()?.segment.entrySpan;
    return entry === undefined || entry.ended ? undefined : entry;
  }

  /**
   * Ids for correlating a log line with its trace; undefined outside a trace, in a suppressed context, or when the
   * trace is not sampled (its ids would point at nothing the backend has).
   */
  activeContext(): ActiveContext | undefined {
    const span = activeSpan();
    if (span === undefined || !span.segment.sampled) return undefined;
    return {
      traceId: span.segment.data.traceId,
      segmentId: span.segment.data.traceSegmentId,
      spanId: span.data.spanId,
    };
  }

  /** Changes the fraction of new traces recorded (clamped to 0..1); configuration discovery calls this. */
  setSampleRate(rate: number): void {
    this.sampler.setRate(rate);
  }

  get sampleRate(): number {
    return this.sampler.sampleRate;
  }

  stats(): TracerStats {
    return { ...this.counters };
  }

  /**
   * Subscribes to the `node:diagnostics_channel` channels of `http`, `https` and undici (`fetch`). No module is
   * patched, so CommonJS and ES module applications are traced alike. Idempotent.
   */
  enableHttpInstrumentation(): void {
    if (this.http !== undefined) return;
    const names: InstrumentationName[] = ['http-server', 'http-client', 'fetch'];
    this.http = new HttpInstrumentation(
      this,
      names.filter((name) => !this.disabledPlugins.has(name)),
    );
    this.http.enable();
  }

  /** Unsubscribes every channel; spans already open still end normally. */
  disable(): void {
    this.http?.disable();
    this.http = undefined;
  }

  // ---- used by the instrumentations, not part of the public API ----------------------------------------------

  /** @internal An entry span; `parent` undefined starts a new segment (HTTP servers pass none: see http-server.ts). */
  openEntry(
    operation: string,
    headers: HeaderSource | undefined,
    parent: SpanRecord | undefined,
    layer: SpanLayer,
    componentId: number,
    spanClass?: typeof SpanRecord,
  ): SpanRecord {
    const incoming = extract(headers, this.sw8Decoder);
    if (incoming.malformed) this.counters.malformedHeaders += 1;
    const caller = incoming.context;
    if (caller === undefined && parent !== undefined) {
      return this.childOf(parent, SpanType.Entry, operation, '', layer, componentId, spanClass);
    }
    const sampled = caller !== undefined ? caller.sample : this.sampler.shouldSample();
    // A caller that did not sample is known by its trace id field alone (UnsampledCaller), decoded only on demand.
    const segment =
      caller !== undefined && 'traceIdField' in caller
        ? new Segment(
            this,
            '',
            false,
            incoming.skipAnalysis,
            incoming.correlation,
            caller.traceIdField,
          )
        : new Segment(
            this,
            caller?.traceId ?? nextId(),
            sampled,
            incoming.skipAnalysis,
            incoming.correlation,
          );
    // The reference is reported only with the segment: an unsampled one needs none.
    const ref =
      caller !== undefined && sampled && 'parentService' in caller
        ? crossProcessRef(caller)
        : undefined;
    return segment.openSpan(SpanType.Entry, operation, -1, '', layer, componentId, ref, spanClass);
  }

  /** @internal An exit span under the active one; undefined where tracing is suppressed. */
  openExit(
    operation: string,
    peer: string,
    layer: SpanLayer,
    componentId: number,
    spanClass?: typeof SpanRecord,
  ): SpanRecord | undefined {
    const current = contextStorage.getStore();
    if (current === SUPPRESSED) return undefined;
    return this.openChild(current, SpanType.Exit, operation, peer, layer, componentId, spanClass);
  }

  private openChild(
    parent: SpanRecord | undefined,
    spanType: SpanType,
    operation: string,
    peer: string,
    layer: SpanLayer,
    componentId: number,
    spanClass: typeof SpanRecord | undefined,
  ): SpanRecord {
    if (parent !== undefined)
      return this.childOf(parent, spanType, operation, peer, layer, componentId, spanClass);
    const segment = new Segment(this, nextId(), this.sampler.shouldSample());
    return segment.openSpan(
      spanType,
      operation,
      -1,
      peer,
      layer,
      componentId,
      undefined,
      spanClass,
    );
  }

  private childOf(
    parent: SpanRecord,
    spanType: SpanType,
    operation: string,
    peer: string,
    layer: SpanLayer,
    componentId: number,
    spanClass: typeof SpanRecord | undefined,
  ): SpanRecord {
    const segment = parent.segment;
    if (!segment.finished) {
      return segment.openSpan(
        spanType,
        operation,
        parent.data.spanId,
        peer,
        layer,
        componentId,
        undefined,
        spanClass,
      );
    }
    // Work that outlives its segment (a timer or promise that fires after the request ended) continues the
    // trace in a new segment linked back to the span it came from, as SkyWalking does across threads.
    const continuation = new Segment(
      this,
      segment.data.traceId,
      segment.sampled,
      segment.skipAnalysis,
      segment.correlation,
      segment.traceIdField,
    );
    const ref: SegmentReference = crossThreadRef(parent);
    return continuation.openSpan(spanType, operation, -1, peer, layer, componentId, ref, spanClass);
  }

  /** @internal Called by a segment when its last open span ends. */
  finishSegment(segment: Segment): void {
    if (!segment.sampled) {
      this.counters.segmentsUnsampled += 1;
      return;
    }
    this.counters.segmentsFinished += 1;
    // runAsAgent without a closure per segment: the sink runs as agent code (see agent-guard.ts).
    enterAgent();
    try {
      this.sink.segment(segment.data);
    } catch {
      // The sink is the facade's queue and must not throw; if it does, the application must not see it.
      this.counters.sinkErrors += 1;
    } finally {
      leaveAgent();
    }
  }
}

function writeHeaderTo(headers: HeaderTarget, name: string, value: string): void {
  if (name === SW8_HEADER) rememberManualSw8(value);
  writeHeader(headers, name, value);
}

/** Creates a tracer. Call `enableHttpInstrumentation()` on it to trace HTTP servers, clients and `fetch`. */
export function createTracer(options: TracerOptions): Tracer {
  return new Tracer(options);
}
