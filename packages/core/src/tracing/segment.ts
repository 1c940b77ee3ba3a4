import {
  decodeSw8TraceIdField,
  encodeSw8Name,
  type SegmentObject,
  type SegmentReference,
  type SpanLayer,
  type SpanObject,
  SpanType,
} from '@windsock/protocol';
import { nextId } from './ids.js';
import { SpanRecord } from './span.js';
import { type TracerStats } from './types.js';

/**
 * Longest operation name kept (the Java agent's default `operation_name_threshold`). The first entry span's name
 * travels in every `sw8` this segment sends, and a header over 2 KB is refused by the receiver, which would start a
 * new trace: a long URL path must not cut the trace.
 */
export const MAX_OPERATION_NAME_LENGTH = 150;

/** What a segment needs from its tracer; kept narrow so segments and spans can be tested alone. */
export interface SegmentOwner {
  readonly serviceName: string;
  readonly serviceInstance: string;
  readonly maxSpansPerSegment: number;
  readonly maxTagValueLength: number;
  /** Longest `stack` of an error log (default `DEFAULT_MAX_ERROR_STACK_LENGTH`). */
  readonly maxErrorStackLength?: number;
  readonly counters: TracerStats;
  /** The service and instance names, encoded as `sw8` sends them. */
  readonly sw8Service: string;
  readonly sw8ServiceInstance: string;
  now(): number;
  finishSegment(segment: Segment): void;
}

// Most spans have no refs and no logs: share one empty array instead of allocating two per span. Core replaces
// it before adding anything, and encoders only iterate it.
const NONE: never[] = Object.freeze([]) as unknown as never[];

/** The work of one trace inside this process: spans are added until the last open one ends. */
export class Segment {
  readonly data: SegmentObject;
  /** Operation of the first entry span (or the first span): what `sw8` calls the parent endpoint. */
  endpoint = '';
  finished = false;
  /** @internal The first three fields of the `sw8` its exit spans send, encoded by the first of them. */
  sw8SegmentPart: string | undefined = undefined;
  /** The endpoint as `sw8` sends it, and the name it was encoded from (a rename changes the endpoint). */
  private sw8Endpoint = '';
  private sw8EndpointOf = '';
  /** The first entry span: the one a framework renames after its route, and `activeEntrySpan()` returns. */
  entrySpan: SpanRecord | undefined = undefined;
  private openSpans = 0;
  /** Spans opened and recorded: an unsampled segment counts them without keeping them (it is never reported). */
  private spanCount = 0;

  constructor(
    readonly tracer: SegmentOwner,
    traceId: string,
    readonly sampled: boolean,
    /** Set by an incoming `sw8-x` tracing mode of 1: every span skips analysis at the backend. */
    readonly skipAnalysis = false,
    /** Incoming `sw8-correlation` entries, forwarded on every exit span. */
    readonly correlation?: ReadonlyMap<string, string>,
    /**
     * For a segment continuing a trace it does not record: the trace id as the caller's `sw8` carried it, sent on
     * as it came; `traceId` is then '' until `traceId()` decodes it.
     */
    readonly traceIdField?: string,
  ) {
    this.data = {
      traceId,
      // An unsampled segment makes its id only if `sw8` or a caller asks for it (`segmentId()`).
      traceSegmentId: sampled ? nextId() : '',
      spans: sampled ? [] : NONE,
      service: tracer.serviceName,
      serviceInstance: tracer.serviceInstance,
      isSizeLimited: false,
    };
  }

  /** The trace id, decoded on first use from the caller's field (traceIdField) for a segment that has one. */
  traceId(): string {
    if (this.data.traceId === '' && this.traceIdField !== undefined) {
      this.data.traceId = decodeSw8TraceIdField(this.traceIdField);
    }
    return this.data.traceId;
  }

  /** The segment's id, made on first use for an unsampled segment. */
  segmentId(): string {
    if (this.data.traceSegmentId === '') this.data.traceSegmentId = nextId();
    return this.data.traceSegmentId;
  }

  /** The endpoint encoded for `sw8`, once per segment unless a rename changed it. */
  encodedEndpoint(): string {
    if (this.sw8EndpointOf !== this.endpoint) {
      this.sw8EndpointOf = this.endpoint;
      this.sw8Endpoint = encodeSw8Name(this.endpoint);
    }
    return this.sw8Endpoint;
  }

  /** Renames a span of this segment, keeping the name `sw8` sends as the parent endpoint in step with it. */
  rename(span: SpanRecord, name: string): void {
    const capped = this.capOperationName(name);
    const namesEndpoint =
      span === this.entrySpan ||
      (this.entrySpan === undefined && span.recorded && span.data.spanId === 0);
    if (namesEndpoint) this.endpoint = capped;
    span.data.operationName = capped;
  }

  private capOperationName(name: string): string {
    if (name.length <= MAX_OPERATION_NAME_LENGTH) return name;
    this.tracer.counters.operationNamesTruncated += 1;
    return name.slice(0, MAX_OPERATION_NAME_LENGTH);
  }

  openSpan(
    spanType: SpanType,
    operationName: string,
    parentSpanId: number,
    peer: string,
    spanLayer: SpanLayer,
    componentId: number,
    ref?: SegmentReference,
    spanClass?: typeof SpanRecord,
  ): SpanRecord {
    operationName = this.capOperationName(operationName);
    const count = this.spanCount;
    const recorded = count < this.tracer.maxSpansPerSegment;
    const data: SpanObject = {
      // A dropped span stands in for its nearest recorded ancestor, so headers it injects still point at a
      // span the backend will receive.
      spanId: recorded ? count : Math.max(parentSpanId, 0),
      parentSpanId,
      // Nothing reads the times of a span that is never reported.
      startTime: this.sampled ? this.tracer.now() : 0,
      endTime: 0,
      refs: ref === undefined ? NONE : [ref],
      operationName,
      peer,
      spanType,
      spanLayer,
      componentId,
      isError: false,
      // Spans of an unsampled segment are never reported, so they take no tags.
      tags: recorded && this.sampled ? [] : NONE,
      logs: NONE,
      skipAnalysis: this.skipAnalysis,
    };
    if (!recorded) {
      this.data.isSizeLimited = true;
      this.tracer.counters.spansDropped += 1;
      return spanClass === undefined
        ? new SpanRecord(this, data, false)
        : new spanClass(this, data, false);
    }
    this.spanCount = count + 1;
    if (this.sampled) this.data.spans.push(data);
    this.openSpans += 1;
    // Two construction sites rather than one with a variable class: `new SpanRecord` stays monomorphic for native spans.
    const span =
      spanClass === undefined ? new SpanRecord(this, data, true) : new spanClass(this, data, true);
    if (count === 0) this.endpoint = operationName;
    if (this.entrySpan === undefined && spanType === SpanType.Entry) {
      this.entrySpan = span;
      this.endpoint = operationName;
    }
    return span;
  }

  spanEnded(): void {
    this.openSpans -= 1;
    if (this.openSpans === 0 && !this.finished) {
      this.finished = true;
      this.tracer.finishSegment(this);
    }
  }
}
