import { correlationOf, isCorrelationKey } from './correlation.js';
import { captureLogOrigin, type LogOrigin, type Logger } from './logger.js';

// triple-beam's symbol for the plain level (registered globally, so winston need not be imported).
const LEVEL = Symbol.for('level');
// Where the write wrapper leaves the origin of a line for the format to find, however much later it runs.
const ORIGIN = Symbol('windsock.logOrigin');
// On an instrumented logger: its format wrapper and undo, so that the application handing a logger over and the
// winston hook seeing it created (or either, twice) instrument it once. Registered globally: ESM and CJS builds meet.
const INSTRUMENTED = Symbol.for('windsock.winston.instrumented');

interface Instrumented {
  format: WinstonFormat;
  undo: () => void;
}

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

/** The parts of a winston `Logger` this integration uses: its `format` property and its `write` method. */
export interface WinstonLoggerLike {
  format: WinstonFormat;
  write(info: unknown, ...rest: unknown[]): unknown;
  /** winston's own check (the logger's level and its transports'); lines no transport would output are not reported. */
  isLevelEnabled?(level: string): boolean;
}

export interface InstrumentWinstonOptions {
  /** Add `traceId`, `segmentId`, `spanId` of the caller's span to each line, so the app's own output has them (default true). */
  correlation?: boolean;
  /** Report the info's other fields as tags (default true). */
  attributes?: boolean;
}

/**
 * Reports every record of one winston logger (and its children) through `reporter`, and adds the correlation
 * fields to the application's own output. Returns the function that undoes it. A logger already instrumented is not
 * instrumented again (its undo is returned), unless `configure()` gave it a new format since.
 *
 * winston publishes no diagnostics channel, and it does not always format a line inside the call that logged it:
 * a line logged while the logger is already writing (by a format, a transport, or a diagnostic written from inside
 * the agent's sink) is buffered and formatted after the outer write returns. Read at format time, such a line would
 * be outside the agent guard and attributed to the wrong span; in the feedback scenario that made every diagnostic
 * line re-enter the pipeline, one at a time, until the heap ran out. So this integration needs two hooks on the
 * logger instance it is given (nothing module-wide is touched):
 *   - `write` is wrapped to capture, at the call, whether agent code is running and which span is active;
 *   - `format` (winston's public, documented property) is wrapped: correlation fields go in before the app's own
 *     format (so `json()` or `printf` print them), and the record is reported with what that format produced
 *     (after `splat()`, `errors()`...; nothing when it filtered the line out).
 */
export function instrumentWinston(
  logger: WinstonLoggerLike,
  reporter: Logger,
  options: InstrumentWinstonOptions = {},
): () => void {
  const holder = logger as { [INSTRUMENTED]?: Instrumented };
  const known = holder[INSTRUMENTED];
  if (known !== undefined) {
    if (logger.format === known.format) return known.undo;
    // `configure()` replaced the format since: wrap the new one instead.
    known.undo();
  }
  const correlation = options.correlation ?? true;
  const withAttributes = options.attributes ?? true;
  const originalFormat = logger.format;
  const hadOwnWrite = Object.prototype.hasOwnProperty.call(logger, 'write');
  // Kept unbound on purpose: the wrapper calls it with whatever `this` winston used (a child logger's own `this`).
  const originalWrite: WinstonLoggerLike['write'] = Reflect.get(logger, 'write');

  const enabled = (info: WinstonInfo): boolean => {
    const level = info[LEVEL] ?? info.level;
    if (typeof level !== 'string' || typeof logger.isLevelEnabled !== 'function') return true;
    try {
      return logger.isLevelEnabled(level);
    } catch {
      return true;
    }
  };

  const write = function (this: unknown, info: unknown, ...rest: unknown[]): unknown {
    if (typeof info === 'object' && info !== null && !(ORIGIN in info)) {
      (info as Record<symbol, LogOrigin>)[ORIGIN] = captureLogOrigin();
    }
    return Reflect.apply(originalWrite, this, [info, ...rest]);
  };
  const format: WinstonFormat = {
    transform(info: WinstonInfo, transformOptions?: unknown) {
      const origin = (info[ORIGIN] as LogOrigin | undefined) ?? captureLogOrigin();
      if (correlation && !origin.agent) {
        const fields = correlationOf(origin.span);
        if (fields !== undefined) Object.assign(info, fields);
      }
      const out = originalFormat.transform(info, transformOptions);
      // winston formats every line and leaves the level filter to its transports: a debug line on an info logger
      // is formatted, then printed nowhere. It is not reported either.
      if (typeof out === 'object' && out !== null && enabled(out)) {
        report(reporter, out, origin, withAttributes);
      }
      return out;
    },
    options: originalFormat.options,
  };

  logger.write = write;
  logger.format = format;
  const undo = (): void => {
    // Only undo our own changes: whatever the application replaced since stays.
    if (holder[INSTRUMENTED]?.undo === undo) delete holder[INSTRUMENTED];
    if (logger.format === format) logger.format = originalFormat;
    if (logger.write === write) {
      if (hadOwnWrite) logger.write = originalWrite;
      else delete (logger as Partial<WinstonLoggerLike>).write;
    }
  };
  holder[INSTRUMENTED] = { format, undo };
  return undo;
}

function report(
  reporter: Logger,
  info: WinstonInfo,
  origin: LogOrigin,
  withAttributes: boolean,
): void {
  // info.level may have been colourised by the app's format; info[LEVEL] is the plain one winston set.
  const rawLevel = info[LEVEL];
  const level = typeof rawLevel === 'string' ? rawLevel : String(info.level);
  let attributes: Record<string, unknown> | undefined;
  if (withAttributes && !origin.agent) {
    for (const key of Object.keys(info)) {
      if (key === 'level' || key === 'message' || isCorrelationKey(key)) continue;
      attributes ??= {};
      attributes[key] = info[key];
    }
  }
  reporter.logFrom('winston', level, info.message, attributes, origin);
}
