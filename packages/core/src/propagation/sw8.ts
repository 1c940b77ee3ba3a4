import {
  decodeSw8Correlation,
  decodeSw8X,
  encodeSw8Correlation,
  encodeSw8Name,
  encodeSw8SegmentPart,
  encodeSw8SegmentPartWithTraceField,
  encodeSw8X,
  joinSw8,
  RefType,
  SW8_CORRELATION_HEADER,
  SW8_HEADER,
  SW8_X_HEADER,
  type SegmentReference,
  unsampledTraceIdField,
  type Sw8Context,
  type Sw8Decoder,
} from '@windsock/protocol';
import { readHeader } from './carriers.js';
import { type SpanRecord } from '../tracing/span.js';
import { type HeaderSource } from '../tracing/types.js';

/**
 * A caller that did not sample the trace: this side records nothing and only sends the trace id on, so nothing of
 * its `sw8` is decoded (unsampledTraceIdField).
 */
export interface UnsampledCaller {
  sample: false;
  traceIdField: string;
}

/** What an incoming request carried: the caller's context (if valid) and the raw header's presence. */
export interface Extracted {
  /** Decoded only when the caller sampled the trace: only a recorded reference shows the caller. */
  context: Sw8Context | UnsampledCaller | undefined;
  /** True when an `sw8` header was present but could not be decoded. */
  malformed: boolean;
  correlation: ReadonlyMap<string, string> | undefined;
  /** `sw8-x` tracing mode 1: the caller asked for spans that skip analysis. */
  skipAnalysis: boolean;
}

const NOTHING: Extracted = {
  context: undefined,
  malformed: false,
  correlation: undefined,
  skipAnalysis: false,
};

const UNSAMPLED = 0x30; // '0'

/** Reads what `headers` carry; `decoder` (the tracer's) remembers the callers it has decoded. */
export function extract(headers: HeaderSource | undefined, decoder: Sw8Decoder): Extracted {
  const raw = readHeader(headers, SW8_HEADER);
  if (raw === undefined) return NOTHING;
  const context = raw.charCodeAt(0) === UNSAMPLED ? unsampledCaller(raw) : decoder.decode(raw);
  if (context === undefined) return { ...NOTHING, malformed: true };
  return {
    context,
    malformed: false,
    correlation: decodeSw8Correlation(readHeader(headers, SW8_CORRELATION_HEADER)),
    skipAnalysis: decodeSw8X(readHeader(headers, SW8_X_HEADER))?.skipAnalysis === true,
  };
}

function unsampledCaller(raw: string): UnsampledCaller | undefined {
  const traceIdField = unsampledTraceIdField(raw);
  return traceIdField === undefined ? undefined : { sample: false, traceIdField };
}

/** The CrossProcess reference an entry span records for the caller it continues. */
export function crossProcessRef(context: Sw8Context): SegmentReference {
  return {
    refType: RefType.CrossProcess,
    traceId: context.traceId,
    parentTraceSegmentId: context.parentSegmentId,
    parentSpanId: context.parentSpanId,
    parentService: context.parentService,
    parentServiceInstance: context.parentServiceInstance,
    parentEndpoint: context.parentEndpoint,
    networkAddressUsedAtPeer: context.addressUsedAtClient,
  };
}

/** The CrossThread reference of a segment continuing a trace whose parent segment already finished. */
export function crossThreadRef(parent: SpanRecord): SegmentReference {
  const segment = parent.segment;
  return {
    refType: RefType.CrossThread,
    traceId: segment.traceId(),
    parentTraceSegmentId: segment.segmentId(),
    parentSpanId: parent.data.spanId,
    parentService: segment.data.service,
    parentServiceInstance: segment.data.serviceInstance,
    parentEndpoint: segment.endpoint,
    networkAddressUsedAtPeer: '',
  };
}

/** Headers an exit span sends: name/value pairs, so each carrier (object, ClientRequest, undici) sets them its way. */
export function injectHeaders<C>(
  exit: SpanRecord,
  peer: string,
  carrier: C,
  write: (carrier: C, name: string, value: string) => void,
): void {
  const segment = exit.segment;
  // The sample flag and both ids are the same for every exit span of the segment: encoded once.
  const segmentPart = (segment.sw8SegmentPart ??=
    segment.traceIdField === undefined
      ? encodeSw8SegmentPart(segment.sampled, segment.data.traceId, segment.segmentId())
      : encodeSw8SegmentPartWithTraceField(
          segment.sampled,
          segment.traceIdField,
          segment.segmentId(),
        ));
  write(
    carrier,
    SW8_HEADER,
    joinSw8(
      segmentPart,
      exit.data.spanId,
      segment.tracer.sw8Service,
      segment.tracer.sw8ServiceInstance,
      segment.encodedEndpoint(),
      encodeSw8Name(peer),
    ),
  );
  if (segment.correlation !== undefined) {
    const correlation = encodeSw8Correlation(segment.correlation);
    if (correlation !== undefined) write(carrier, SW8_CORRELATION_HEADER, correlation);
  }
  // Only the non-default mode is worth the bytes: an absent sw8-x means "analyse normally".
  if (segment.skipAnalysis) write(carrier, SW8_X_HEADER, encodeSw8X({ skipAnalysis: true }));
}
