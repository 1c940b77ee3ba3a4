import { types } from 'node:util';
import { type KeyStringValuePair, type SpanObject } from '@windsock/protocol';
import { type Segment } from './segment.js';
import { stringifyValue, truncate } from './tag-value.js';
import { type Span } from './types.js';

const kSpanRecord = Symbol.for('windsock.span-record');

/**
 * A span under construction. `data` is the plain protocol object the segment reports, so finishing a segment
 * hands the sink exactly what the encoder reads, with no copy and no back-references.
 *
 * An integration that must hand out spans of another API extends this class (keeping its constructor) and passes
 * it as `spanClass`: rather than a slot on every span for an attachment, which native spans would pay for, only
 * its own spans carry what it adds, and no wrapper object or link is made per span. Construct spans through the
 * tracer only.
 */
export class SpanRecord implements Span {
  /** See `isSpanRecord`. */
  get [kSpanRecord](): true {
    return true;
  }

  // Declared, and set in the constructor rather than by field initialisers: V8 constructs a subclass (`spanClass`)
  // of a class with field initialisers several times slower than one whose constructor sets its fields.
  declare readonly segment: Segment;
  declare readonly data: SpanObject;
  /** False for spans beyond the segment's limit: they propagate context but are never reported. */
  declare readonly recorded: boolean;
  declare ended: boolean;
  /** Whether `error()` logged an exception on this span already: it logs at most one (see `error`). */
  declare private errorLogged: boolean;

  constructor(segment: Segment, data: SpanObject, recorded: boolean) {
    this.segment = segment;
    this.data = data;
    this.recorded = recorded;
    this.ended = false;
    this.errorLogged = false;
  }

  get traceId(): string {
    return this.segment.traceId();
  }

  get segmentId(): string {
    return this.segment.segmentId();
  }

  get spanId(): number {
    return this.data.spanId;
  }

  get sampled(): boolean {
    return this.segment.sampled;
  }

  tag(key: string, value: unknown): Span {
    if (this.ended || !this.recorded || !this.segment.sampled) return this;
    this.data.tags.push(this.pair(key, value));
    return this;
  }

  /** Replaces the value of an existing tag, or adds it. */
  setTag(key: string, value: unknown): void {
    if (this.ended || !this.recorded || !this.segment.sampled) return;
    const tags = this.data.tags;
    for (let i = 0; i < tags.length; i++) {
      if (tags[i]!.key === key) {
        tags[i] = this.pair(key, value);
        return;
      }
    }
    tags.push(this.pair(key, value));
  }

  log(fields: Readonly<Record<string, unknown>>): Span {
    if (this.ended || !this.recorded || !this.segment.sampled) return this;
    const data: KeyStringValuePair[] = [];
    try {
      for (const key of Object.keys(fields)) data.push(this.pair(key, fields[key]));
    } catch {
      // A proxy or throwing getter: keep what was read.
    }
    if (data.length === 0) return this;
    if (this.data.logs.length === 0) this.data.logs = [];
    this.data.logs.push({ time: this.segment.tracer.now(), data });
    return this;
  }

  error(err: unknown): Span {
    if (this.ended || !this.recorded) return this;
    this.data.isError = true;
    // One exception log per span: the same exception is often seen twice (by a library's instrumentation, then by
    // `trace()` as it propagates), and a span failing in a loop must not grow its segment without bound.
    if (this.errorLogged || !this.segment.sampled) return this;
    this.errorLogged = true;
    const data: KeyStringValuePair[] = [{ key: 'event', value: 'error' }];
    if (isError(err)) {
      // Each field read on its own: a throwing getter on one (a hostile error object) costs that field only.
      const kind = readSafely(() => err.name);
      if (kind !== undefined) data.push(this.pair('error.kind', kind));
      const message = readSafely(() => err.message);
      if (message !== undefined) data.push(this.pair('message', message));
      const stack = readSafely(() => stackWithCauses(err));
      if (stack !== undefined) data.push({ key: 'stack', value: this.capStack(stack) });
    } else {
      data.push(this.pair('message', err));
    }
    if (this.data.logs.length === 0) this.data.logs = [];
    this.data.logs.push({ time: this.segment.tracer.now(), data });
    return this;
  }

  setOperationName(name: string): Span {
    if (this.ended || !this.recorded) return this;
    this.segment.rename(this, String(name));
    return this;
  }

  setComponent(componentId: number): Span {
    if (!this.ended && this.recorded && Number.isInteger(componentId))
      this.data.componentId = componentId;
    return this;
  }

  setPeer(peer: string): Span {
    if (!this.ended && this.recorded) this.data.peer = String(peer);
    return this;
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    if (!this.recorded) return;
    if (this.segment.sampled) this.data.endTime = this.segment.tracer.now();
    this.segment.spanEnded();
  }

  private pair(key: unknown, value: unknown): KeyStringValuePair {
    // Keys and values are nearly always short strings: those are kept as they are, without a call.
    const max = this.segment.tracer.maxTagValueLength;
    return {
      key: typeof key === 'string' && key.length <= max ? key : this.cap(stringifyValue(key)),
      value:
        typeof value === 'string' && value.length <= max ? value : this.cap(stringifyValue(value)),
    };
  }

  /** Stacks have a cap of their own (`maxErrorStackLength`): longer than a tag value, and worth more. */
  private capStack(text: string): string {
    const tracer = this.segment.tracer;
    const max = tracer.maxErrorStackLength ?? DEFAULT_MAX_ERROR_STACK_LENGTH;
    if (text.length <= max) return text;
    tracer.counters.valuesTruncated += 1;
    return truncate(text, max);
  }

  private cap(text: string): string {
    const tracer = this.segment.tracer;
    if (text.length <= tracer.maxTagValueLength) return text;
    tracer.counters.valuesTruncated += 1;
    return truncate(text, tracer.maxTagValueLength);
  }
}

/**
 * Whether `value` is a span of any loaded copy of core (its ES module and CommonJS builds): the async context is one
 * per process, and an integration's `spanClass` may extend another copy's `SpanRecord` than its tracer's.
 */
export function isSpanRecord(value: unknown): value is SpanRecord {
  return (
    value instanceof SpanRecord ||
    (typeof value === 'object' &&
      value !== null &&
      (value as { [kSpanRecord]?: unknown })[kSpanRecord] === true)
  );
}

/** Longest `stack` an error log keeps by default, in UTF-16 units (a stack and a few causes). */
export const DEFAULT_MAX_ERROR_STACK_LENGTH = 4096;
/** Causes followed from an error (`err.cause`, then its cause, ...), as the Java agent's default depth. */
const MAX_CAUSE_DEPTH = 5;

function readSafely<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

function isError(value: unknown): value is Error {
  // isNativeError also recognises errors made in another realm (a `vm` context, a worker's structured clone).
  return value instanceof Error || types.isNativeError(value);
}

/**
 * The error's stack followed by its causes' (`Caused by: ...`), as the Java agent records a chained exception:
 * Node prints none of them, and the cause is often what explains the error (`fetch failed` wraps the socket error).
 */
function stackWithCauses(err: Error): string {
  let text = typeof err.stack === 'string' && err.stack !== '' ? err.stack : String(err);
  const seen = new Set<unknown>([err]);
  let cause: unknown = (err as { cause?: unknown }).cause;
  for (let depth = 0; depth < MAX_CAUSE_DEPTH; depth++) {
    if (cause === undefined || cause === null || seen.has(cause)) break;
    seen.add(cause);
    if (isError(cause)) {
      text += `\nCaused by: ${typeof cause.stack === 'string' && cause.stack !== '' ? cause.stack : String(cause)}`;
      cause = (cause as { cause?: unknown }).cause;
    } else {
      text += `\nCaused by: ${stringifyValue(cause)}`;
      break;
    }
  }
  return text;
}

/** What a suppressed context or an internal failure returns: a span that records and propagates nothing. */
class NoopSpan implements Span {
  readonly traceId = '';
  readonly segmentId = '';
  readonly spanId = -1;
  readonly sampled = false;
  readonly ended = true;
  tag(): Span {
    return this;
  }
  log(): Span {
    return this;
  }
  error(): Span {
    return this;
  }
  setOperationName(): Span {
    return this;
  }
  setComponent(): Span {
    return this;
  }
  setPeer(): Span {
    return this;
  }
  end(): void {}
}

export const NOOP_SPAN: Span = new NoopSpan();
