import { type SpanLayer } from '@windsock/protocol';
import { type SpanRecord } from './span.js';

/** A span as user code sees it. Every method is safe on an ended or unsampled span and never throws. */
export interface Span {
  readonly traceId: string;
  readonly segmentId: string;
  readonly spanId: number;
  /** False when the trace is not sampled: the span still propagates but is never reported. */
  readonly sampled: boolean;
  readonly ended: boolean;
  /** Adds a tag; any value is stringified and capped to `maxTagValueLength`. */
  tag(key: string, value: unknown): Span;
  /** Adds a timestamped log event (`{ event: 'retry', attempt: 2 }`). */
  log(fields: Readonly<Record<string, unknown>>): Span;
  /**
   * Marks the span as failed and logs the error's kind, message and stack (OAP's `error.kind`, `message`, `stack`;
   * the stack followed by its causes', capped at `maxErrorStackLength`). A span logs one error: later calls only
   * keep it marked as failed, so an exception seen by a library's instrumentation and again as it propagates is
   * recorded once.
   */
  error(err: unknown): Span;
  /**
   * Renames the span: a framework names the request's entry span after its route template. Renaming the first entry
   * span also changes the endpoint later `sw8` headers of its segment name as their parent.
   */
  setOperationName(name: string): Span;
  /** Sets the component id (OAP's `component-libraries.yml`): a framework takes over the HTTP entry span. */
  setComponent(componentId: number): Span;
  /** Sets the peer (`host:port`) of an exit span whose address is known only after it started. */
  setPeer(peer: string): Span;
  /** Ends the span; ending twice is a no-op. */
  end(): void;
}

/** The identifiers a log line needs to be correlated with its trace. */
export interface ActiveContext {
  traceId: string;
  segmentId: string;
  spanId: number;
}

/**
 * Where propagation headers are read from: Node's `IncomingHttpHeaders`, any plain object, or a fetch `Headers`.
 */
export type HeaderSource =
  | Readonly<Record<string, string | readonly string[] | number | undefined>>
  | { get(name: string): string | null };

/** Where propagation headers are written to: a plain object or a fetch `Headers`. */
export type HeaderTarget = Record<string, unknown> | { set(name: string, value: string): void };

export interface EntrySpanOptions {
  /** Incoming request headers (or message headers, gRPC metadata); a valid `sw8` continues the caller's trace. */
  headers?: HeaderSource;
  /**
   * Ignore the active span: a message or a call arriving from outside belongs to its sender's trace or to a new one,
   * never to whatever context the connection delivering it happened to be created in.
   */
  root?: boolean;
  layer?: SpanLayer;
  componentId?: number;
  /**
   * The class the span is made as: a subclass of `SpanRecord` adding another API's span methods (the OpenTelemetry
   * bridge's spans are OpenTelemetry `Span`s themselves), so an integration hands out windsock's span rather than an
   * object wrapping it. Default `SpanRecord`.
   */
  spanClass?: typeof SpanRecord;
}

export interface ExitSpanOptions {
  /**
   * Outgoing carrier (request headers, message headers, gRPC metadata through `{ set }`); `sw8` (and
   * `sw8-correlation`, `sw8-x` when set) are written into it.
   */
  headers?: HeaderTarget;
  layer?: SpanLayer;
  componentId?: number;
  /**
   * The class the span is made as: a subclass of `SpanRecord` adding another API's span methods (the OpenTelemetry
   * bridge's spans are OpenTelemetry `Span`s themselves), so an integration hands out windsock's span rather than an
   * object wrapping it. Default `SpanRecord`.
   */
  spanClass?: typeof SpanRecord;
}

export interface LocalSpanOptions {
  layer?: SpanLayer;
  componentId?: number;
  /**
   * The class the span is made as: a subclass of `SpanRecord` adding another API's span methods (the OpenTelemetry
   * bridge's spans are OpenTelemetry `Span`s themselves), so an integration hands out windsock's span rather than an
   * object wrapping it. Default `SpanRecord`.
   */
  spanClass?: typeof SpanRecord;
}

/** Counters since the tracer was created. */
export interface TracerStats {
  /** Sampled segments handed to the sink. */
  segmentsFinished: number;
  /** Segments finished unsampled (by the sample rate or an incoming `sw8` flag): not handed to the sink. */
  segmentsUnsampled: number;
  /** Spans not recorded because their segment reached `maxSpansPerSegment`. */
  spansDropped: number;
  /** Tag and log values cut to `maxTagValueLength`. */
  valuesTruncated: number;
  /** Operation names cut to `MAX_OPERATION_NAME_LENGTH` (150) characters. */
  operationNamesTruncated: number;
  /** Incoming `sw8` headers that were present but malformed (a new trace was started). */
  malformedHeaders: number;
  /** Incoming requests skipped by `ignorePaths` / `ignoreMethods`. */
  requestsIgnored: number;
  /** Outgoing requests whose headers were already sent, so no `sw8` could be added. */
  propagationSkipped: number;
  /** Calls to the sink that threw. */
  sinkErrors: number;
}
