import { MAX_HEADER_LENGTH } from './limits.js';

/** The optional extension header: tracing mode and the caller's send time. */
export const SW8_X_HEADER = 'sw8-x';

export interface Sw8XContext {
  /** Tracing mode 1: spans created in this context are reported with `skipAnalysis = true`. */
  skipAnalysis: boolean;
  /** When the client sent the request (epoch ms), for transmission latency. */
  clientSendTimestamp?: number;
}

const MAX_TIMESTAMP_DIGITS = 16;

/** Encodes `sw8-x` as `<mode>-<timestamp>`, the form the Java agent writes (timestamp may be empty). */
export function encodeSw8X(context: Sw8XContext): string {
  const timestamp = context.clientSendTimestamp;
  return (
    (context.skipAnalysis ? '1-' : '0-') +
    (timestamp !== undefined && Number.isSafeInteger(timestamp) && timestamp >= 0
      ? String(timestamp)
      : '')
  );
}

function parseTimestamp(source: string, start: number, end: number): number | undefined {
  const length = end - start;
  if (length === 0 || length > MAX_TIMESTAMP_DIGITS) return undefined;
  let value = 0;
  for (let i = start; i < end; i++) {
    const digit = source.charCodeAt(i) - 0x30;
    if (digit < 0 || digit > 9) return undefined;
    value = value * 10 + digit;
  }
  // 16 digits can pass 2^53; such a value would not survive as a JS number.
  return Number.isSafeInteger(value) ? value : undefined;
}

/**
 * Decodes `sw8-x`. Every field is optional and the header is extensible, so like the Java agent this
 * reads what it understands: mode `1` means skip analysis, any other mode is normal; a timestamp that is
 * not a decimal integer is left out; further fields are ignored. Returns undefined only for a missing,
 * empty or over-2 KB value. Never throws.
 */
export function decodeSw8X(value: string | undefined): Sw8XContext | undefined {
  if (value === undefined || value.length === 0 || value.length > MAX_HEADER_LENGTH) {
    return undefined;
  }
  let modeEnd = value.indexOf('-');
  if (modeEnd < 0) modeEnd = value.length;
  const context: Sw8XContext = {
    skipAnalysis: modeEnd === 1 && value.charCodeAt(0) === 0x31,
  };
  if (modeEnd < value.length) {
    let timestampEnd = value.indexOf('-', modeEnd + 1);
    if (timestampEnd < 0) timestampEnd = value.length;
    const timestamp = parseTimestamp(value, modeEnd + 1, timestampEnd);
    if (timestamp !== undefined) context.clientSendTimestamp = timestamp;
  }
  return context;
}
