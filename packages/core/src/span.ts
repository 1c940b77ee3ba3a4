import { type KeyStringValuePair, type SpanObject } from '@windsock/protocol';
import { type Segment } from './segment.js';
import { stringifyValue, truncate } from './tag-value.js';
import { type Span } from './types.js';

/**
 * A span under construction. `data` is the plain protocol object the segment reports, so finishing a segment
 * hands the sink exactly what the encoder reads, with no copy and no back-references.
 */
export class SpanRecord implements Span {
  ended = false;

  constructor(
    readonly segment: Segment,
    readonly data: SpanObject,
    /** False for spans beyond the segment's limit: they propagate context but are never reported. */
    readonly recorded: boolean,
  ) {}

  get traceId(): string {
    return this.segment.data.traceId;
  }

  get segmentId(): string {
    return this.segment.data.traceSegmentId;
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
    if (err instanceof Error) {
      this.log({
        event: 'error',
        'error.kind': err.name,
        message: err.message,
        stack: err.stack ?? '',
      });
    } else {
      this.log({ event: 'error', message: err });
    }
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
    this.data.endTime = this.segment.tracer.now();
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

  private cap(text: string): string {
    const tracer = this.segment.tracer;
    if (text.length <= tracer.maxTagValueLength) return text;
    tracer.counters.valuesTruncated += 1;
    return truncate(text, tracer.maxTagValueLength);
  }
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
