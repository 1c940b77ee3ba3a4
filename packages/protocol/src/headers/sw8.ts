import {
  MAX_SCRATCH_BASE64_LENGTH,
  MAX_SCRATCH_TEXT_LENGTH,
  decodeBase64Into,
  encodeBase64,
  lastDecodedWasAscii,
  writeBase64,
} from './base64.js';
import { Base64DecodeMemo, Base64EncodeMemo } from './base64-memo.js';
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
// A header is at most 2 KB, so its two ids decode to fewer bytes than this.
const idBytes = Buffer.allocUnsafeSlow(MAX_HEADER_LENGTH);

// Names (service, instance, endpoint, peer) repeat from call to call, so their base64 is memoized both ways.
const encodedNames = new Base64EncodeMemo();
const decodedNames = new Base64DecodeMemo();

// The trace and segment ids are new for each trace but repeat on every exit span of a segment. Encoded
// together into one scratch they make one string instead of two; the last pair is remembered.
const idsTarget = Buffer.allocUnsafeSlow(2 * MAX_SCRATCH_BASE64_LENGTH + 1);
const lastIds = { traceId: '', segmentId: '', encoded: '-' };

function encodeIds(traceId: string, segmentId: string): string {
  if (traceId === lastIds.traceId && segmentId === lastIds.segmentId) return lastIds.encoded;
  let encoded: string;
  if (traceId.length > MAX_SCRATCH_TEXT_LENGTH || segmentId.length > MAX_SCRATCH_TEXT_LENGTH) {
    encoded = encodeBase64(traceId) + '-' + encodeBase64(segmentId);
  } else {
    let end = writeBase64(traceId, idsTarget, 0);
    idsTarget[end++] = DASH;
    end = writeBase64(segmentId, idsTarget, end);
    encoded = idsTarget.toString('latin1', 0, end);
  }
  lastIds.traceId = traceId;
  lastIds.segmentId = segmentId;
  lastIds.encoded = encoded;
  return encoded;
}

/** Encodes the `sw8` value: 8 fields joined by `-`, strings base64-encoded, the span id in decimal. */
export function encodeSw8(context: Sw8Context): string {
  return (
    (context.sample ? '1-' : '0-') +
    encodeIds(context.traceId, context.parentSegmentId) +
    '-' +
    String(context.parentSpanId) +
    '-' +
    encodedNames.encode(context.parentService) +
    '-' +
    encodedNames.encode(context.parentServiceInstance) +
    '-' +
    encodedNames.encode(context.parentEndpoint) +
    '-' +
    encodedNames.encode(context.addressUsedAtClient)
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

/**
 * Decodes an incoming `sw8` value. Runs on every traced request, so it never throws and returns
 * undefined for anything malformed: missing, over 2 KB, not exactly 8 fields, a sample flag other than
 * 0/1, a field that is not base64, a span id that is not a non-negative integer, or an empty trace or
 * segment id (nothing could be linked to it).
 */
export function decodeSw8(value: string | undefined): Sw8Context | undefined {
  if (value === undefined || value.length > MAX_HEADER_LENGTH) return undefined;
  // Base64 never contains '-', so the separators can be found directly, without splitting.
  const d1 = 1;
  if (value.charCodeAt(d1) !== DASH) return undefined;
  const sampleFlag = value.charCodeAt(0);
  if (sampleFlag !== ZERO && sampleFlag !== ONE) return undefined;
  const d2 = value.indexOf('-', d1 + 1);
  if (d2 < 0) return undefined;
  const d3 = value.indexOf('-', d2 + 1);
  if (d3 < 0) return undefined;
  const d4 = value.indexOf('-', d3 + 1);
  if (d4 < 0) return undefined;
  const d5 = value.indexOf('-', d4 + 1);
  if (d5 < 0) return undefined;
  const d6 = value.indexOf('-', d5 + 1);
  if (d6 < 0) return undefined;
  const d7 = value.indexOf('-', d6 + 1);
  if (d7 < 0 || value.indexOf('-', d7 + 1) >= 0) return undefined;

  const parentSpanId = parseSpanId(value, d3 + 1, d4);
  if (parentSpanId < 0) return undefined;
  // Both ids are decoded into one scratch; when both are ASCII (as agents make them) one string holds both.
  const traceEnd = decodeBase64Into(value, d1 + 1, d2, idBytes, 0);
  if (traceEnd <= 0) return undefined; // not base64, or empty
  const traceIsAscii = lastDecodedWasAscii();
  const segmentEnd = decodeBase64Into(value, d2 + 1, d3, idBytes, traceEnd);
  if (segmentEnd <= traceEnd) return undefined;
  let traceId: string;
  let parentSegmentId: string;
  if (traceIsAscii && lastDecodedWasAscii()) {
    const both = idBytes.toString('latin1', 0, segmentEnd);
    traceId = both.slice(0, traceEnd);
    parentSegmentId = both.slice(traceEnd);
  } else {
    traceId = idBytes.toString('utf8', 0, traceEnd);
    parentSegmentId = idBytes.toString('utf8', traceEnd, segmentEnd);
  }
  const parentService = decodedNames.decode(value, d4 + 1, d5);
  if (parentService === undefined) return undefined;
  const parentServiceInstance = decodedNames.decode(value, d5 + 1, d6);
  if (parentServiceInstance === undefined) return undefined;
  const parentEndpoint = decodedNames.decode(value, d6 + 1, d7);
  if (parentEndpoint === undefined) return undefined;
  const addressUsedAtClient = decodedNames.decode(value, d7 + 1, value.length);
  if (addressUsedAtClient === undefined) return undefined;

  return {
    sample: sampleFlag === ONE,
    traceId,
    parentSegmentId,
    parentSpanId,
    parentService,
    parentServiceInstance,
    parentEndpoint,
    addressUsedAtClient,
  };
}
