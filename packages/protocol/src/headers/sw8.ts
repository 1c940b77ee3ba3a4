import {
  MAX_SCRATCH_BASE64_LENGTH,
  MAX_SCRATCH_TEXT_LENGTH,
  decodeBase64Into,
  encodeBase64,
  encodeShortAscii,
  lastDecodedWasAscii,
  lastDecodedWasCanonical,
  writeBase64,
} from './base64.js';
import { Base64DecodeMemo, Base64EncodeMemo } from './base64-memo.js';
import { CallerMemo, type CallerNames, HeaderIdMemo } from './sw8-memo.js';
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
// One memo per field, so each field's last value is checked first (see Base64EncodeMemo).
const encodedServices = new Base64EncodeMemo();
const encodedInstances = new Base64EncodeMemo();
const encodedEndpoints = new Base64EncodeMemo();
const encodedPeers = new Base64EncodeMemo();
const decodedNames = new Base64DecodeMemo();
// ... and an incoming header's last four fields (the caller's service, instance, endpoint and the address it used)
// repeat as a block, so a block seen before is recognised with one comparison.
const decodedCallers = new CallerMemo();
// A trace continued from an incoming header goes out again on every exit span: its base64 is the slice it came in.
const headerTraceIds = new HeaderIdMemo();

// The trace and segment ids are new for each trace but repeat on every exit span of a segment; the last pair is
// remembered.
const lastIds = { traceId: '', segmentId: '', encoded: '-' };

function encodeIds(traceId: string, segmentId: string): string {
  if (traceId === lastIds.traceId && segmentId === lastIds.segmentId) return lastIds.encoded;
  const encoded =
    (headerTraceIds.encodedOf(traceId) ?? encodeOwnId(traceId)) + '-' + encodeOwnId(segmentId);
  lastIds.traceId = traceId;
  lastIds.segmentId = segmentId;
  lastIds.encoded = encoded;
  return encoded;
}

// Ids an agent makes itself share a long prefix (core's are `<random>.<start time>.<counter>`). Base64 maps every
// 3 bytes to 4 characters independently, so for an ASCII prefix whose length is a multiple of 3 the base64 of the
// id is the base64 of the prefix followed by the base64 of the rest: only the few changing characters are encoded.
const MIN_PREFIXED_ID_LENGTH = 12;
const idPrefix = { text: '', encoded: '' };
const idsTarget = Buffer.allocUnsafeSlow(MAX_SCRATCH_BASE64_LENGTH);

function encodeOwnId(id: string): string {
  if (id.length > MAX_SCRATCH_TEXT_LENGTH) return encodeBase64(id);
  const prefixLength = idPrefix.text.length;
  // slice + ===, not startsWith: see Base64DecodeMemo.decode.
  if (
    prefixLength !== 0 &&
    id.length > prefixLength &&
    id.slice(0, prefixLength) === idPrefix.text
  ) {
    const tail = encodeShortAscii(id, prefixLength);
    if (tail !== undefined) return idPrefix.encoded + tail;
  }
  // A new prefix, or the changing part outgrew the short encoder (a counter gained a digit): start again.
  const encoded = idsTarget.toString('latin1', 0, writeBase64(id, idsTarget, 0));
  rememberPrefix(id, encoded);
  return encoded;
}

/** Keeps all but the last few characters of `id` (3-aligned) and their base64, when they are ASCII. */
function rememberPrefix(id: string, encoded: string): void {
  if (id.length < MIN_PREFIXED_ID_LENGTH) return;
  const prefixLength = 3 * Math.floor((id.length - 4) / 3);
  for (let i = 0; i < prefixLength; i++) if (id.charCodeAt(i) >= 0x80) return;
  idPrefix.text = id.slice(0, prefixLength);
  idPrefix.encoded = encoded.slice(0, (prefixLength / 3) * 4);
}

/** Encodes the `sw8` value: 8 fields joined by `-`, strings base64-encoded, the span id in decimal. */
export function encodeSw8(context: Sw8Context): string {
  return encodeSw8WithSegmentPart(
    (context.sample ? '1-' : '0-') + encodeIds(context.traceId, context.parentSegmentId),
    context.parentSpanId,
    context.parentService,
    context.parentServiceInstance,
    context.parentEndpoint,
    context.addressUsedAtClient,
  );
}

/**
 * The first three fields of `sw8` (sample flag, trace id, parent segment id), which are the same for every exit
 * span of a segment: an agent can encode them once per segment and pass them to encodeSw8WithSegmentPart.
 */
export function encodeSw8SegmentPart(
  sample: boolean,
  traceId: string,
  parentSegmentId: string,
): string {
  return (
    (sample ? '1-' : '0-') +
    (headerTraceIds.encodedOf(traceId) ?? encodeOwnId(traceId)) +
    '-' +
    encodeOwnId(parentSegmentId)
  );
}

/**
 * encodeSw8 with its first three fields already encoded by encodeSw8SegmentPart: the same value as
 * encodeSw8({ sample, traceId, parentSegmentId, parentSpanId, ... }).
 */
export function encodeSw8WithSegmentPart(
  segmentPart: string,
  parentSpanId: number,
  parentService: string,
  parentServiceInstance: string,
  parentEndpoint: string,
  addressUsedAtClient: string,
): string {
  return (
    segmentPart +
    '-' +
    String(parentSpanId) +
    '-' +
    encodedServices.encode(parentService) +
    '-' +
    encodedInstances.encode(parentServiceInstance) +
    '-' +
    encodedEndpoints.encode(parentEndpoint) +
    '-' +
    encodedPeers.encode(addressUsedAtClient)
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
  // The rest (the caller's names) is checked for exactly three more separators by decodeCaller.
  const parentSpanId = parseSpanId(value, d3 + 1, d4);
  if (parentSpanId < 0) return undefined;
  const caller = decodeCaller(value, d4 + 1);
  if (caller === undefined) return undefined;
  // Both ids are decoded into one scratch; when both are ASCII (as agents make them) one string holds both.
  const traceEnd = decodeBase64Into(value, d1 + 1, d2, idBytes, 0);
  if (traceEnd <= 0) return undefined; // not base64, or empty
  const traceIsAscii = lastDecodedWasAscii();
  const traceIsCanonical = lastDecodedWasCanonical();
  const segmentEnd = decodeBase64Into(value, d2 + 1, d3, idBytes, traceEnd);
  if (segmentEnd <= traceEnd) return undefined;
  let traceId: string;
  let parentSegmentId: string;
  if (traceIsAscii && lastDecodedWasAscii()) {
    const both = idBytes.toString('latin1', 0, segmentEnd);
    traceId = both.slice(0, traceEnd);
    parentSegmentId = both.slice(traceEnd);
    // ASCII read as latin1 is the text itself, so a canonical slice is exactly encodeBase64(traceId).
    if (traceIsCanonical) headerTraceIds.remember(traceId, value, d1 + 1, d2);
  } else {
    traceId = idBytes.toString('utf8', 0, traceEnd);
    parentSegmentId = idBytes.toString('utf8', traceEnd, segmentEnd);
  }

  return {
    sample: sampleFlag === ONE,
    traceId,
    parentSegmentId,
    parentSpanId,
    parentService: caller.service,
    parentServiceInstance: caller.serviceInstance,
    parentEndpoint: caller.endpoint,
    addressUsedAtClient: caller.addressUsedAtClient,
  };
}

/**
 * Decodes the last four fields of a `sw8` value, from `start` to its end: exactly four base64 fields separated
 * by `-`, or undefined. A block seen before comes from the memo; otherwise each name is decoded (through its own
 * memo) and the block is remembered.
 */
function decodeCaller(value: string, start: number): CallerNames | undefined {
  const known = decodedCallers.lookup(value, start);
  if (known !== undefined) return known;
  const d5 = value.indexOf('-', start);
  if (d5 < 0) return undefined;
  const d6 = value.indexOf('-', d5 + 1);
  if (d6 < 0) return undefined;
  const d7 = value.indexOf('-', d6 + 1);
  if (d7 < 0 || value.indexOf('-', d7 + 1) >= 0) return undefined;
  const service = decodedNames.decode(value, start, d5);
  if (service === undefined) return undefined;
  const serviceInstance = decodedNames.decode(value, d5 + 1, d6);
  if (serviceInstance === undefined) return undefined;
  const endpoint = decodedNames.decode(value, d6 + 1, d7);
  if (endpoint === undefined) return undefined;
  const addressUsedAtClient = decodedNames.decode(value, d7 + 1, value.length);
  if (addressUsedAtClient === undefined) return undefined;
  const names: CallerNames = { service, serviceInstance, endpoint, addressUsedAtClient };
  decodedCallers.remember(value, start, names);
  return names;
}
