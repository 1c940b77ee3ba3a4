import { type KeyStringValuePair, type LogData, type LogDataBody } from '@windsock/protocol';
import { OptionChecks } from '@windsock/options';
import { isAgentRunning, runAsAgent } from '../diagnostics/agent-guard.js';
import { INVALID_CORE_OPTIONS } from '../invalid-options.js';
import { activeSpan } from '../tracing/context.js';
import { type SpanRecord } from '../tracing/span.js';
import { stringifyValue, truncate } from '../tracing/tag-value.js';
import { type Tracer } from '../tracing/tracer.js';
import { type Sink } from '../sink.js';

export interface LoggerOptions {
  sink: Sink;
  /** Service name on every record; defaults to the tracer's. */
  serviceName?: string;
  /** Service instance on every record; defaults to the tracer's. */
  serviceInstance?: string;
  /**
   * The tracer of this service: supplies the service name, instance and clock when they are not given. The trace
   * context itself is read from the process-wide active span, so a record logged inside any span is correlated.
   */
  tracer?: Tracer;
  /** Longest message kept, in UTF-16 units (default 8192); longer ones are cut and counted. */
  maxMessageLength?: number;
  /** Longest attribute value kept, in UTF-16 units (default 2048); longer ones are cut and counted. */
  maxAttributeLength?: number;
  /** Epoch milliseconds; injectable for tests. */
  now?: () => number;
}

/** Counters since the logger was created. */
export interface LoggerStats {
  /** Records handed to the sink. */
  produced: number;
  /** Records not reported because agent code was running when they were logged (the feedback-loop guard). */
  suppressed: number;
  /** Messages and attribute values cut to their limit. */
  truncated: number;
  /** Calls to the sink that threw. */
  sinkErrors: number;
}

/**
 * Who was running when a log call was made, captured at the call for loggers that may process the line later
 * (winston buffers a write made while it is already writing, and formats it after the caller returned).
 */
export interface LogOrigin {
  /** Agent code was running (`runAsAgent`): the record must not be reported. */
  readonly agent: boolean;
  /** The span active at the call. */
  readonly span: SpanRecord | undefined;
}

/** Captures the current `LogOrigin`: cheap (a field read and a store lookup). */
export function captureLogOrigin(): LogOrigin {
  return { agent: isAgentRunning(), span: activeSpan() };
}

export type LogMessage = string | object;
export type LogAttributes = Readonly<Record<string, unknown>>;

export const DEFAULT_MAX_MESSAGE_LENGTH = 8192;
export const DEFAULT_MAX_ATTRIBUTE_LENGTH = 2048;

/** Throws one OptionsError listing every bad logger option: a bad cap is the caller's bug, not a default. */
function checkLoggerOptions(options: LoggerOptions): void {
  const check = new OptionChecks();
  for (const name of ['maxMessageLength', 'maxAttributeLength'] as const) {
    if (options[name] !== undefined) check.integer(name, options[name], { min: 1 });
  }
  if (options.now !== undefined) check.function('now', options.now);
  check.throwIfAny(INVALID_CORE_OPTIONS);
}

/**
 * Turns log calls into SkyWalking `LogData` records, correlated with the active span, and hands each to the sink.
 * Synchronous, O(size of the record), never throws. A record logged while agent code runs is counted and dropped.
 */
export class Logger {
  readonly serviceName: string;
  readonly serviceInstance: string;
  private readonly sink: Sink;
  private readonly maxMessageLength: number;
  private readonly maxAttributeLength: number;
  private readonly now: () => number;
  private readonly counters: LoggerStats = {
    produced: 0,
    suppressed: 0,
    truncated: 0,
    sinkErrors: 0,
  };

  constructor(options: LoggerOptions) {
    checkLoggerOptions(options);
    this.sink = options.sink;
    this.serviceName = options.serviceName ?? options.tracer?.serviceName ?? '';
    this.serviceInstance = options.serviceInstance ?? options.tracer?.serviceInstance ?? '';
    this.maxMessageLength = options.maxMessageLength ?? DEFAULT_MAX_MESSAGE_LENGTH;
    this.maxAttributeLength = options.maxAttributeLength ?? DEFAULT_MAX_ATTRIBUTE_LENGTH;
    this.now = options.now ?? options.tracer?.now ?? Date.now;
  }

  /** Reports one record: `level` becomes the `level` tag (upper case), attributes become tags. */
  log(level: string, message: LogMessage, attributes?: LogAttributes): void {
    this.logFrom('windsock', level, message, attributes);
  }

  debug(message: LogMessage, attributes?: LogAttributes): void {
    this.logFrom('windsock', 'debug', message, attributes);
  }

  info(message: LogMessage, attributes?: LogAttributes): void {
    this.logFrom('windsock', 'info', message, attributes);
  }

  warn(message: LogMessage, attributes?: LogAttributes): void {
    this.logFrom('windsock', 'warn', message, attributes);
  }

  error(message: LogMessage, attributes?: LogAttributes): void {
    this.logFrom('windsock', 'error', message, attributes);
  }

  /**
   * `log` for an integration: `loggerName` (`'pino'`, `'winston'`, `'console'`) becomes the `logger` tag. Called
   * synchronously from the application's log call, the guard and the active span are read now; an integration that
   * handles the line later passes the `origin` it captured at the call.
   */
  logFrom(
    loggerName: string,
    level: string,
    message: unknown,
    attributes?: LogAttributes,
    origin?: LogOrigin,
  ): void {
    if (origin === undefined ? isAgentRunning() : origin.agent) {
      this.counters.suppressed += 1;
      return;
    }
    let record: LogData;
    try {
      const span = origin === undefined ? activeSpan() : origin.span;
      record = this.record(loggerName, level, message, attributes, span);
    } catch {
      // Attributes with throwing getters or proxies: the application's log call must still succeed.
      this.counters.sinkErrors += 1;
      return;
    }
    this.counters.produced += 1;
    try {
      const sink = this.sink;
      runAsAgent(() => sink.log(record));
    } catch {
      this.counters.sinkErrors += 1;
    }
  }

  stats(): LoggerStats {
    return { ...this.counters };
  }

  private record(
    loggerName: string,
    level: string,
    message: unknown,
    attributes: LogAttributes | undefined,
    span: SpanRecord | undefined,
  ): LogData {
    const tags: KeyStringValuePair[] = [
      { key: 'level', value: String(level).toUpperCase() },
      { key: 'logger', value: loggerName },
    ];
    if (attributes !== undefined && attributes !== null) {
      for (const key in attributes) {
        if (!Object.prototype.hasOwnProperty.call(attributes, key)) continue;
        const value = attributes[key];
        if (value === undefined || typeof value === 'function') continue;
        tags.push({ key, value: this.cap(stringifyValue(value), this.maxAttributeLength) });
      }
    }
    const sampled = span !== undefined && span.segment.sampled;
    return {
      timestamp: this.now(),
      service: this.serviceName,
      serviceInstance: this.serviceInstance,
      endpoint: span === undefined ? '' : span.segment.endpoint,
      body: this.body(message),
      traceContext: sampled
        ? {
            traceId: span.segment.data.traceId,
            traceSegmentId: span.segment.data.traceSegmentId,
            spanId: span.data.spanId,
          }
        : undefined,
      tags: { data: tags },
      layer: '',
    };
  }

  private body(message: unknown): LogDataBody {
    if (typeof message === 'string') {
      return { type: 'text', text: { text: this.cap(message, this.maxMessageLength) } };
    }
    if (typeof message === 'object' && message !== null && !(message instanceof Error)) {
      const json = stringifyValue(message);
      // A cut JSON document would not parse on the backend: an over-long one is reported as cut text instead.
      if (json.length <= this.maxMessageLength) return { type: 'json', json: { json } };
      return { type: 'text', text: { text: this.cap(json, this.maxMessageLength) } };
    }
    return {
      type: 'text',
      text: { text: this.cap(stringifyValue(message), this.maxMessageLength) },
    };
  }

  private cap(text: string, maxLength: number): string {
    if (text.length <= maxLength) return text;
    this.counters.truncated += 1;
    return truncate(text, maxLength);
  }
}

/** Creates a logger that reports records to `sink`, correlated with the active span. */
export function createLogger(options: LoggerOptions): Logger {
  return new Logger(options);
}
