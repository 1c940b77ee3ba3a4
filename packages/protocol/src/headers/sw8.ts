import { decodeBase64Slice, encodeBase64 } from './base64.js';
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

// Service and instance names are the same on every call a process makes: remember the last encoding.
const lastEncoded = { service: '', serviceBase64: '', instance: '', instanceBase64: '' };

function encodeService(service: string): string {
  if (service !== lastEncoded.service) {
    lastEncoded.service = service;
    lastEncoded.serviceBase64 = encodeBase64(service);
  }
  return lastEncoded.serviceBase64;
}

function encodeInstance(instance: string): string {
  if (instance !== lastEncoded.instance) {
    lastEncoded.instance = instance;
    lastEncoded.instanceBase64 = encodeBase64(instance);
  }
  return lastEncoded.instanceBase64;
}

/** Encodes the `sw8` value: 8 fields joined by `-`, strings base64-encoded, the span id in decimal. */
export function encodeSw8(context: Sw8Context): string {
  return (
    (context.sample ? '1-' : '0-') +
    encodeBase64(context.traceId) +
    '-' +
    encodeBase64(context.parentSegmentId) +
    '-' +
    String(context.parentSpanId) +
    '-' +
    encodeService(context.parentService) +
    '-' +
    encodeInstance(context.parentServiceInstance) +
    '-' +
    encodeBase64(context.parentEndpoint) +
    '-' +
    encodeBase64(context.addressUsedAtClient)
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
  const traceId = decodeBase64Slice(value, d1 + 1, d2);
  if (!traceId) return undefined;
  const parentSegmentId = decodeBase64Slice(value, d2 + 1, d3);
  if (!parentSegmentId) return undefined;
  const parentService = decodeBase64Slice(value, d4 + 1, d5);
  if (parentService === undefined) return undefined;
  const parentServiceInstance = decodeBase64Slice(value, d5 + 1, d6);
  if (parentServiceInstance === undefined) return undefined;
  const parentEndpoint = decodeBase64Slice(value, d6 + 1, d7);
  if (parentEndpoint === undefined) return undefined;
  const addressUsedAtClient = decodeBase64Slice(value, d7 + 1, value.length);
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
