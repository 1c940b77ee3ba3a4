import { type HeaderSource, type HeaderTarget } from '../tracing/types.js';

/** Reads one header from any carrier users pass; never throws (a hostile getter reads as absent). */
export function readHeader(headers: HeaderSource | undefined, name: string): string | undefined {
  if (headers === undefined || headers === null) return undefined;
  try {
    if (typeof (headers as { get?: unknown }).get === 'function') {
      const value = (headers as { get(name: string): string | null }).get(name);
      return typeof value === 'string' ? value : undefined;
    }
    const value = (headers as Record<string, unknown>)[name];
    if (typeof value === 'string') return value;
    // Node joins most repeated headers, but a custom carrier may hold an array: the first value wins.
    if (Array.isArray(value) && typeof value[0] === 'string') return value[0];
    return undefined;
  } catch {
    return undefined;
  }
}

/** Writes one header into any carrier; returns false instead of throwing when the carrier refuses. */
export function writeHeader(headers: HeaderTarget, name: string, value: string): boolean {
  try {
    if (typeof (headers as { set?: unknown }).set === 'function') {
      (headers as { set(name: string, value: string): void }).set(name, value);
    } else {
      (headers as Record<string, unknown>)[name] = value;
    }
    return true;
  } catch {
    return false;
  }
}
