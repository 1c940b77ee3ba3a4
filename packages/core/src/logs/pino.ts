import diagnosticsChannel from 'node:diagnostics_channel';
import { type Instrumentation } from '../instrumentation/contract.js';
import { correlationFields } from './correlation.js';
import { type LogAttributes, type Logger } from './logger.js';

/**
 * pino (since pinojs/pino#2281, verified with pino 10) publishes a tracing channel around the serialisation of every
 * line: `tracing:pino_asJson:start` carries the logger instance and the arguments `(mergingObject, message,
 * levelNumber, time)`, synchronously inside the application's `logger.info(...)` call, so the active span is the
 * caller's. Subscribing is all it takes: nothing is patched, every pino instance in the process (child loggers,
 * ESM or CommonJS, any copy of pino) is seen, and it works for an app that never imports windsock.
 */
export const PINO_CHANNEL = 'tracing:pino_asJson:start';

interface PinoAsJsonMessage {
  instance?: { levels?: { labels?: Readonly<Record<number, string>> } };
  arguments?: ArrayLike<unknown>;
}

export interface InstrumentPinoOptions {
  /** Report the merging object's own fields as tags (default true). */
  attributes?: boolean;
}

/**
 * Reports every pino line of the process through `reporter` (tags: `level`, `logger=pino`, the merging object's
 * fields; body: the message, or the merging object as JSON when there is none). Returns the function that stops it.
 */
export function instrumentPino(reporter: Logger, options: InstrumentPinoOptions = {}): () => void {
  const withAttributes = options.attributes ?? true;
  const onLine = (message: unknown) => {
    const { instance, arguments: args } = (message ?? {}) as PinoAsJsonMessage;
    if (args === undefined) return;
    const mergingObject = args[0];
    const text = args[1];
    const levelNumber = args[2];
    const level =
      (typeof levelNumber === 'number' ? instance?.levels?.labels?.[levelNumber] : undefined) ??
      String(levelNumber);
    if (text === undefined) {
      reporter.logFrom('pino', level, withoutCorrelation(mergingObject) ?? '');
      return;
    }
    const attributes = withAttributes ? withoutCorrelation(mergingObject) : undefined;
    // pino accepts any message value and serialises it; the logger stringifies non-strings the same way.
    reporter.logFrom('pino', level, text, attributes);
  };
  diagnosticsChannel.subscribe(PINO_CHANNEL, onLine);
  let subscribed = true;
  return () => {
    if (!subscribed) return;
    subscribed = false;
    diagnosticsChannel.unsubscribe(PINO_CHANNEL, onLine);
  };
}

/** pino's lines reported with the active span's context, through its diagnostics channel (nothing patched). */
export const pinoInstrumentation: Instrumentation = {
  name: 'pino',
  description:
    'pino (9.10 or later) lines reported as logs with the active trace context, read from its diagnostics channel',
  modules: [],
  enable: (context) => instrumentPino(context.logger),
};

/**
 * The merging object minus the correlation fields `pinoMixin` added (the record carries them as its trace context);
 * the object itself when it has none, which is the common case and costs no copy.
 */
function withoutCorrelation(value: unknown): LogAttributes | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const object = value as LogAttributes;
  if (!('traceId' in object)) return object;
  const { traceId: _t, segmentId: _s, spanId: _p, ...rest } = object;
  return rest;
}

/**
 * A pino `mixin` that adds `traceId`, `segmentId` and `spanId` of the active span to the application's own lines:
 * `pino({ mixin: pinoMixin })`. Adds nothing outside a sampled trace.
 */
export function pinoMixin(): object {
  return correlationFields() ?? {};
}
