// The sw8 codec exactly as it was before the hand-written base64 encoder, the one-string decoding of the ids and
// the memos (base64 through Buffer, every field decoded through Buffer's UTF-8 decoder). Tests hold the current
// codec to it value for value, and `pnpm bench` measures both in the same run.
import { MAX_HEADER_LENGTH } from '../src/headers/limits.js';
import { type Sw8Context } from '../src/headers/sw8.js';

const SEXTET = new Int8Array(128).fill(-1);
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
for (let i = 0; i < ALPHABET.length; i++) SEXTET[ALPHABET.charCodeAt(i)] = i;
const PAD = 0x3d; // '='

// Headers are at most 2 KB, so decoded fields fit; anything larger gets its own buffer.
const scratch = Buffer.allocUnsafeSlow(2048);

function encodeBase64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

/**
 * Decodes `source[start, end)` as base64 of UTF-8 text, or returns undefined when it is not base64.
 * Padding is optional (Java's decoder accepts both), but when present it must be complete.
 */
export function referenceDecodeBase64Slice(
  source: string,
  start: number,
  end: number,
): string | undefined {
  let dataEnd = end;
  if (dataEnd > start && source.charCodeAt(dataEnd - 1) === PAD) dataEnd--;
  if (dataEnd > start && source.charCodeAt(dataEnd - 1) === PAD) dataEnd--;
  const dataLength = dataEnd - start;
  if (dataLength % 4 === 1) return undefined;
  if (dataEnd !== end && (end - start) % 4 !== 0) return undefined;
  if (dataLength === 0) return '';
  const byteLength = (dataLength * 3) >> 2;
  const target = byteLength <= scratch.length ? scratch : Buffer.allocUnsafe(byteLength);
  let written = 0;
  let bits = 0;
  let pending = 0;
  for (let i = start; i < dataEnd; i++) {
    const code = source.charCodeAt(i);
    const sextet = code < 128 ? SEXTET[code]! : -1;
    if (sextet < 0) return undefined;
    pending = (pending << 6) | sextet;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      target[written++] = pending >> bits;
      pending &= (1 << bits) - 1;
    }
  }
  return target.toString('utf8', 0, written);
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
export function referenceEncodeSw8(context: Sw8Context): string {
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
export function referenceDecodeSw8(value: string | undefined): Sw8Context | undefined {
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
  const traceId = referenceDecodeBase64Slice(value, d1 + 1, d2);
  if (!traceId) return undefined;
  const parentSegmentId = referenceDecodeBase64Slice(value, d2 + 1, d3);
  if (!parentSegmentId) return undefined;
  const parentService = referenceDecodeBase64Slice(value, d4 + 1, d5);
  if (parentService === undefined) return undefined;
  const parentServiceInstance = referenceDecodeBase64Slice(value, d5 + 1, d6);
  if (parentServiceInstance === undefined) return undefined;
  const parentEndpoint = referenceDecodeBase64Slice(value, d6 + 1, d7);
  if (parentEndpoint === undefined) return undefined;
  const addressUsedAtClient = referenceDecodeBase64Slice(value, d7 + 1, value.length);
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
