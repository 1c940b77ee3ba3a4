import { decodeValidBase64, encodeBase64 } from './base64.js';
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

const ZERO = 0x30;
const ONE = 0x31;
const PAD = 0x3d; // '='
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

// Eight fields: the sample flag, five base64 fields with the span id between the second and the third, and
// base64 never contains '-'. Padding is checked per field (hasBase64Length); the ids must not be empty.
const SHAPE =
  /^[01]-[A-Za-z0-9+/=]+-[A-Za-z0-9+/=]+-[0-9]{1,10}-[A-Za-z0-9+/=]*-[A-Za-z0-9+/=]*-[A-Za-z0-9+/=]*-[A-Za-z0-9+/=]*$/;

/** Where the separators of a well-formed `sw8` value are: `dashes[i]` ends field i (the last ends the value). */
type Separators = [number, number, number, number, number, number, number, number];

/**
 * Checks everything about `value` but the ids' and names' UTF-8: its length, exactly 8 fields, the sample flag, the
 * span id, every string field base64, the ids not empty. Returns the separators, or undefined.
 */
function validate(value: string | undefined): Separators | undefined {
  if (value === undefined || value.length > MAX_HEADER_LENGTH || !SHAPE.test(value)) {
    return undefined;
  }
  const dashes: Separators = [1, 0, 0, 0, 0, 0, 0, value.length];
  for (let i = 1; i < 7; i++) dashes[i] = value.indexOf('-', dashes[i - 1]! + 1);
  if (parseSpanId(value, dashes[2] + 1, dashes[3]) < 0) return undefined;
  for (let i = 0; i < 7; i++) {
    if (i !== 2 && !hasBase64Length(value, dashes[i]! + 1, dashes[i + 1]!)) return undefined;
  }
  return dashes;
}

/**
 * Whether a field of base64 characters and '=' is base64: '=' only as complete padding at its end (optional, as
 * Java's decoder accepts both), and a length a decoder accepts.
 */
function hasBase64Length(value: string, start: number, end: number): boolean {
  let dataEnd = end;
  if (dataEnd > start && value.charCodeAt(dataEnd - 1) === PAD) dataEnd--;
  if (dataEnd > start && value.charCodeAt(dataEnd - 1) === PAD) dataEnd--;
  if ((dataEnd - start) % 4 === 1) return false;
  if (dataEnd !== end && (end - start) % 4 !== 0) return false;
  const pad = value.indexOf('=', start);
  return pad < 0 || pad >= dataEnd;
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
  const dashes = validate(value);
  if (dashes === undefined) return undefined;
  const text = value!;
  return {
    sample: text.charCodeAt(0) === ONE,
    traceId: nameAt(text, dashes, 0),
    parentSegmentId: nameAt(text, dashes, 1),
    parentSpanId: parseSpanId(text, dashes[2] + 1, dashes[3]),
    parentService: nameAt(text, dashes, 3),
    parentServiceInstance: nameAt(text, dashes, 4),
    parentEndpoint: nameAt(text, dashes, 5),
    addressUsedAtClient: nameAt(text, dashes, 6),
  };
}

/**
 * decodeSw8 without the caller's names, which only the reference of a recorded span needs: what an agent
 * continuing an unsampled trace reads. Refuses exactly the values decodeSw8 refuses.
 */
export function decodeSw8Trace(value: string | undefined): Sw8Trace | undefined {
  const dashes = validate(value);
  return dashes === undefined ? undefined : traceOf(value!, dashes);
}

function traceOf(value: string, dashes: Separators): Sw8Trace {
  return {
    sample: value.charCodeAt(0) === ONE,
    traceId: nameAt(value, dashes, 0),
    parentSegmentId: nameAt(value, dashes, 1),
    parentSpanId: parseSpanId(value, dashes[2] + 1, dashes[3]),
  };
}

/** Field `i + 1` of a validated value (0: the trace id, 1: the segment id, 3-6: the names), decoded. */
function nameAt(value: string, dashes: Separators, i: number): string {
  return decodeValidBase64(value, dashes[i]! + 1, dashes[i + 1]!);
}
