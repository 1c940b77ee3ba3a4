import { correlationFields, isCorrelationKey } from '../logs/correlation.js';
import { type Logger } from '../logs/logger.js';

// triple-beam's symbols (winston's `info[LEVEL]`): registered globally, so no import of winston is needed.
const LEVEL = Symbol.for('level');

/** What a logform format is to winston: an object with `transform(info, options)` returning the info or false. */
export interface WinstonFormat {
  transform(info: WinstonInfo, options?: unknown): WinstonInfo | boolean;
  options?: unknown;
}

export interface WinstonInfo {
  level: string;
  message: unknown;
  [key: string | symbol]: unknown;
}

/** The part of a winston `Logger` this integration uses: its public `format` property. */
export interface WinstonLoggerLike {
  format: WinstonFormat;
}

export interface WinstonFormatOptions {
  /** Add `traceId`, `segmentId`, `spanId` of the active span to each info, so the app's own output carries them (default true). */
  correlation?: boolean;
  /** Report the info's other fields as tags (default true). */
  attributes?: boolean;
}

/**
 * A winston format that reports each log record through `reporter` and adds the correlation fields, wrapped around
 * the logger's own format (`inner`): correlation fields go in before it (so `json()` or `printf` print them), and
 * the record is reported with what it produced (after `splat()`, `errors()`...; nothing when it filtered the line
 * out). Formats run synchronously inside the application's `logger.info(...)` call, so the active span is the
 * caller's — except when winston is back-pressured by a slow transport: then it buffers the line and formats it
 * later, in whatever context resumes the stream.
 */
export function winstonFormat(
  reporter: Logger,
  inner?: WinstonFormat,
  options: WinstonFormatOptions = {},
): WinstonFormat {
  const correlation = options.correlation ?? true;
  const withAttributes = options.attributes ?? true;
  return {
    transform(info: WinstonInfo, transformOptions?: unknown) {
      if (correlation) {
        const fields = correlationFields();
        if (fields !== undefined) Object.assign(info, fields);
      }
      const out = inner === undefined ? info : inner.transform(info, transformOptions);
      if (typeof out !== 'object' || out === null) return out;
      reportInfo(reporter, out, withAttributes);
      return out;
    },
    options: inner?.options,
  };
}

function reportInfo(reporter: Logger, info: WinstonInfo, withAttributes: boolean): void {
  // info.level may have been colourised by the inner format; info[LEVEL] is the plain one winston set.
  const rawLevel = info[LEVEL];
  const level = typeof rawLevel === 'string' ? rawLevel : String(info.level);
  let attributes: Record<string, unknown> | undefined;
  if (withAttributes) {
    for (const key of Object.keys(info)) {
      if (key === 'level' || key === 'message' || isCorrelationKey(key)) continue;
      attributes ??= {};
      attributes[key] = info[key];
    }
  }
  reporter.logFrom('winston', level, info.message, attributes);
}

/**
 * Reports every record of one winston logger: wraps its `format` (winston's public, documented property) with
 * `winstonFormat`. winston publishes no diagnostics channel, so unlike pino each logger must be handed over once.
 * Returns the function that restores the logger's own format.
 */
export function instrumentWinston(
  logger: WinstonLoggerLike,
  reporter: Logger,
  options: WinstonFormatOptions = {},
): () => void {
  const original = logger.format;
  const wrapped = winstonFormat(reporter, original, options);
  logger.format = wrapped;
  return () => {
    // Only undo our own change: if the application replaced the format since, it stays.
    if (logger.format === wrapped) logger.format = original;
  };
}
