import { decodeBase64Slice, encodeBase64 } from './base64.js';
import { MAX_HEADER_LENGTH } from './limits.js';

/** The carrier header for user correlation data that travels with the trace. */
export const SW8_CORRELATION_HEADER = 'sw8-correlation';
/** Default agent limits: entries beyond them are left out, as in the Java and Go agents. */
export const SW8_CORRELATION_MAX_KEYS = 3;
export const SW8_CORRELATION_MAX_VALUE_LENGTH = 128;

export type CorrelationEntries =
  Iterable<readonly [string, string]> | Readonly<Record<string, string>>;

function entriesOf(entries: CorrelationEntries): Iterable<readonly [string, string]> {
  return Symbol.iterator in entries
    ? (entries as Iterable<readonly [string, string]>)
    : Object.entries(entries);
}

/**
 * Keeps an entry if it fits the limits: a non-empty key, a value of at most 128 characters, and room
 * for a new key (a repeated key replaces the earlier value).
 */
function admit(into: Map<string, string>, key: string, value: string): void {
  if (key.length === 0 || value.length > SW8_CORRELATION_MAX_VALUE_LENGTH) return;
  if (!into.has(key) && into.size >= SW8_CORRELATION_MAX_KEYS) return;
  into.set(key, value);
}

/**
 * Encodes correlation entries as `base64(key):base64(value)` pairs joined by `,`, leaving out entries
 * beyond the limits. Returns undefined when nothing is left to propagate (send no header then).
 */
export function encodeSw8Correlation(entries: CorrelationEntries): string | undefined {
  const kept = new Map<string, string>();
  for (const [key, value] of entriesOf(entries)) admit(kept, key, value);
  if (kept.size === 0) return undefined;
  let out = '';
  for (const [key, value] of kept) {
    if (out.length > 0) out += ',';
    out += encodeBase64(key) + ':' + encodeBase64(value);
  }
  return out;
}

/**
 * Decodes a `sw8-correlation` value. Never throws: returns undefined for a missing, empty or over-2 KB
 * value; skips pairs that are not `base64:base64`; applies the same limits as encoding.
 */
export function decodeSw8Correlation(value: string | undefined): Map<string, string> | undefined {
  if (value === undefined || value.length === 0 || value.length > MAX_HEADER_LENGTH) {
    return undefined;
  }
  const entries = new Map<string, string>();
  let start = 0;
  while (start <= value.length) {
    let end = value.indexOf(',', start);
    if (end < 0) end = value.length;
    parsePair(value, start, end, entries);
    start = end + 1;
  }
  return entries.size > 0 ? entries : undefined;
}

function parsePair(source: string, start: number, end: number, into: Map<string, string>): void {
  const colon = source.indexOf(':', start);
  if (colon < 0 || colon >= end) return;
  const second = source.indexOf(':', colon + 1);
  if (second >= 0 && second < end) return;
  const key = decodeBase64Slice(source, start, colon);
  const entryValue = decodeBase64Slice(source, colon + 1, end);
  if (key === undefined || entryValue === undefined) return;
  admit(into, key, entryValue);
}
