import { canonicalBase64, decodeBase64Slice, encodeBase64, isBase64 } from './base64.js';
import { type Base64SliceDecoder } from './base64-decoder.js';
import { MAX_HEADER_LENGTH } from './limits.js';

/** The carrier header that links a trace across processes. */
export const SW8_HEADER = 'sw8';

/** What the `sw8` header carries: the caller's position in the trace. */
export interface Sw8Context {
  /** True when the caller sampled the trace, so this side must report it too. */
  sample: boolean;
  traceId: string;
  parentSegmentId: string;
  /** The span in the parent segment that made the call. */
  parentSpanId: number;
  parentService: string;
  parentServiceInstance: string;
  /** Operation name of the first entry span of the parent segment. */
  parentEndpoint: string;
  /** The address the caller used to reach this service (becomes `networkAddressUsedAtPeer`). */
  addressUsedAtClient: string;
}

const DASH = 0x2d;
const ZERO = 0x30;
const ONE = 0x31;
const MAX_SPAN_ID_DIGITS = 10;
const INT32_MAX = 0x7fffffff;

/** Encodes the `sw8` value: 8 fields joined by `-`, strings base64-encoded, the span id in decimal. */
export function encodeSw8(context: Sw8Context): string {
  return encodeSw8WithSegmentPart(
    encodeSw8SegmentPart(context.sample, context.traceId, context.parentSegmentId),
    context.parentSpanId,
    context.parentService,
    context.parentServiceInstance,
    context.parentEndpoint,
    context.addressUsedAtClient,
  );
}

/**
 * The first three fields of `sw8` (sample flag, trace id, parent segment id), which are the same for every exit
 * span of a segment: an agent can encode them once per segment.
 */
export function encodeSw8SegmentPart(
  sample: boolean,
  traceId: string,
  parentSegmentId: string,
): string {
  return (sample ? '1-' : '0-') + encodeBase64(traceId) + '-' + encodeBase64(parentSegmentId);
}

/**
 * encodeSw8SegmentPart for a trace id still in its `sw8` form, as unsampledTraceIdField returns a caller's: a
 * segment continuing a trace it does not record sends the caller's field on without decoding and encoding it again.
 */
export function encodeSw8SegmentPartWithTraceField(
  sample: boolean,
  traceIdField: string,
  parentSegmentId: string,
): string {
  return (sample ? '1-' : '0-') + traceIdField + '-' + encodeBase64(parentSegmentId);
}

/**
 * For a caller that did not sample (a value starting `0-`): its trace id field, spelled canonically, when the field
 * is base64; undefined otherwise. Nothing is decoded and the rest of the value is not read: this side records
 * nothing of the trace and only sends the id on, so checking fields it never uses would cost every request for
 * nothing. The caller's bytes are sent on as they came, even where they are not UTF-8 (a decode would replace them).
 */
export function unsampledTraceIdField(value: string): string | undefined {
  if (
    value.length > MAX_HEADER_LENGTH ||
    value.charCodeAt(0) !== ZERO ||
    value.charCodeAt(1) !== DASH
  ) {
    return undefined;
  }
  const end = value.indexOf('-', 2);
  if (end <= 2 || !isBase64(value, 2, end)) return undefined;
  return canonicalBase64(value, 2, end);
}

/** The trace id a field from unsampledTraceIdField stands for. */
export function decodeSw8TraceIdField(traceIdField: string): string {
  return decodeBase64Slice(traceIdField, 0, traceIdField.length) ?? '';
}

/**
 * One name field of `sw8` (service, instance, endpoint, address) as it is sent: an agent sending the same names on
 * many headers can encode them once and pass them to joinSw8.
 */
export function encodeSw8Name(name: string): string {
  return encodeBase64(name);
}

/** The `sw8` value from its parts, each already encoded (encodeSw8SegmentPart, encodeSw8Name). */
export function joinSw8(
  segmentPart: string,
  parentSpanId: number,
  encodedService: string,
  encodedServiceInstance: string,
  encodedEndpoint: string,
  encodedAddress: string,
): string {
  return (
    segmentPart +
    '-' +
    String(parentSpanId) +
    '-' +
    encodedService +
    '-' +
    encodedServiceInstance +
    '-' +
    encodedEndpoint +
    '-' +
    encodedAddress
  );
}

/** encodeSw8 with its first three fields already encoded by encodeSw8SegmentPart. */
export function encodeSw8WithSegmentPart(
  segmentPart: string,
  parentSpanId: number,
  parentService: string,
  parentServiceInstance: string,
  parentEndpoint: string,
  addressUsedAtClient: string,
): string {
  return joinSw8(
    segmentPart,
    parentSpanId,
    encodeBase64(parentService),
    encodeBase64(parentServiceInstance),
    encodeBase64(parentEndpoint),
    encodeBase64(addressUsedAtClient),
  );
}

/** The platform's base64 (atob), which the pure functions decode with. */
const PLATFORM_BASE64: Base64SliceDecoder = { decodeSlice: decodeBase64Slice };

/** Parses a non-negative int32 written in decimal, or returns -1. */
function parseSpanId(source: string, start: number, end: number): number {
  const length = end - start;
  if (length === 0 || length > MAX_SPAN_ID_DIGITS) return -1;
  let value = 0;
  for (let i = start; i < end; i++) {
    const digit = source.charCodeAt(i) - ZERO;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value > INT32_MAX ? -1 : value;
}

/** The caller's part of an incoming `sw8`: its last four fields, decoded. */
export interface Sw8Caller {
  readonly service: string;
  readonly serviceInstance: string;
  readonly endpoint: string;
  readonly addressUsedAtClient: string;
}

/**
 * The first four fields of `value` when they are well formed (the sample flag, two non-empty base64 ids and a span
 * id), and where the caller block (the last four fields) starts; otherwise undefined. The block is not checked.
 * `base64` decodes the ids (the platform's atob unless a decoder object of the caller's is given).
 */
export function decodeSw8Head(
  value: string | undefined,
  base64: Base64SliceDecoder = PLATFORM_BASE64,
): Sw8Head | undefined {
  if (value === undefined || value.length > MAX_HEADER_LENGTH) return undefined;
  const flag = value.charCodeAt(0);
  if ((flag !== ZERO && flag !== ONE) || value.charCodeAt(1) !== DASH) return undefined;
  const d2 = value.indexOf('-', 2);
  if (d2 <= 2) return undefined;
  const traceId = base64.decodeSlice(value, 2, d2);
  if (traceId === undefined) return undefined;
  const d3 = value.indexOf('-', d2 + 1);
  if (d3 <= d2 + 1) return undefined;
  const parentSegmentId = base64.decodeSlice(value, d2 + 1, d3);
  if (parentSegmentId === undefined) return undefined;
  const d4 = value.indexOf('-', d3 + 1);
  if (d4 < 0) return undefined;
  const parentSpanId = parseSpanId(value, d3 + 1, d4);
  if (parentSpanId < 0) return undefined;
  return {
    sample: flag === ONE,
    traceId,
    parentSegmentId,
    parentSpanId,
    callerStart: d4 + 1,
  };
}

/** The trace position of an `sw8` value and where its caller block starts (decodeSw8Head). */
export interface Sw8Head extends Sw8Trace {
  callerStart: number;
}

/** Where the first three fields of the caller block starting at `start` end, if it has exactly four fields. */
function callerSeparators(value: string, start: number): [number, number, number] | undefined {
  const d5 = value.indexOf('-', start);
  if (d5 < 0) return undefined;
  const d6 = value.indexOf('-', d5 + 1);
  if (d6 < 0) return undefined;
  const d7 = value.indexOf('-', d6 + 1);
  if (d7 < 0 || value.indexOf('-', d7 + 1) >= 0) return undefined;
  return [d5, d6, d7];
}

/** Whether `value[start, value.length)` is a well-formed caller block (what decodeSw8Caller accepts). */
export function isSw8Caller(value: string, start: number): boolean {
  const d = callerSeparators(value, start);
  return (
    d !== undefined &&
    isBase64(value, start, d[0]) &&
    isBase64(value, d[0] + 1, d[1]) &&
    isBase64(value, d[1] + 1, d[2]) &&
    isBase64(value, d[2] + 1, value.length)
  );
}

/**
 * Decodes the caller block of `value`, from `start` to its end, or returns undefined when it is malformed. `base64`
 * as for decodeSw8Head.
 */
export function decodeSw8Caller(
  value: string,
  start: number,
  base64: Base64SliceDecoder = PLATFORM_BASE64,
): Sw8Caller | undefined {
  const d = callerSeparators(value, start);
  if (d === undefined) return undefined;
  const service = base64.decodeSlice(value, start, d[0]);
  if (service === undefined) return undefined;
  const serviceInstance = base64.decodeSlice(value, d[0] + 1, d[1]);
  if (serviceInstance === undefined) return undefined;
  const endpoint = base64.decodeSlice(value, d[1] + 1, d[2]);
  if (endpoint === undefined) return undefined;
  const addressUsedAtClient = base64.decodeSlice(value, d[2] + 1, value.length);
  if (addressUsedAtClient === undefined) return undefined;
  return { service, serviceInstance, endpoint, addressUsedAtClient };
}

/** The context of a decoded head and caller. */
export function sw8Context(head: Sw8Head, caller: Sw8Caller): Sw8Context {
  return {
    sample: head.sample,
    traceId: head.traceId,
    parentSegmentId: head.parentSegmentId,
    parentSpanId: head.parentSpanId,
    parentService: caller.service,
    parentServiceInstance: caller.serviceInstance,
    parentEndpoint: caller.endpoint,
    addressUsedAtClient: caller.addressUsedAtClient,
  };
}

/** The trace position an incoming `sw8` carries, without the caller's names. */
export type Sw8Trace = Pick<Sw8Context, 'sample' | 'traceId' | 'parentSegmentId' | 'parentSpanId'>;

/**
 * Decodes an incoming `sw8` value. Runs on every traced request, so it never throws and returns
 * undefined for anything malformed: missing, over 2 KB, not exactly 8 fields, a sample flag other than
 * 0/1, a field that is not base64, a span id that is not a non-negative integer, or an empty trace or
 * segment id (nothing could be linked to it).
 */
export function decodeSw8(value: string | undefined): Sw8Context | undefined {
  const head = decodeSw8Head(value);
  if (head === undefined) return undefined;
  const caller = decodeSw8Caller(value!, head.callerStart);
  return caller === undefined ? undefined : sw8Context(head, caller);
}

/**
 * decodeSw8 without the caller's names, which only the reference of a recorded span needs: what an agent
 * continuing an unsampled trace reads. Refuses exactly the values decodeSw8 refuses.
 */
export function decodeSw8Trace(value: string | undefined): Sw8Trace | undefined {
  const head = decodeSw8Head(value);
  return head !== undefined && isSw8Caller(value!, head.callerStart) ? sw8Trace(head) : undefined;
}

/** The trace position of a decoded head. */
export function sw8Trace(head: Sw8Head): Sw8Trace {
  return {
    sample: head.sample,
    traceId: head.traceId,
    parentSegmentId: head.parentSegmentId,
    parentSpanId: head.parentSpanId,
  };
}
