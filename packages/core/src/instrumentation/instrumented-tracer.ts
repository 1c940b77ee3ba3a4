import { type SpanLayer } from '@windsock/protocol';
import { type IgnoreRules } from '../tracing/ignore-rules.js';
import { type SpanRecord } from '../tracing/span.js';
import { type HeaderSource, type TracerStats } from '../tracing/types.js';

/** What the instrumentations need from the tracer. */
export interface InstrumentedTracer {
  readonly counters: TracerStats;
  readonly ignoreRules: IgnoreRules;
  openEntry(
    operation: string,
    headers: HeaderSource | undefined,
    parent: SpanRecord | undefined,
    layer: SpanLayer,
    componentId: number,
  ): SpanRecord;
  openExit(
    operation: string,
    peer: string,
    layer: SpanLayer,
    componentId: number,
  ): SpanRecord | undefined;
}

/** The path part of a request target, without the query string or fragment. */
export function pathOf(target: string): string {
  let end = target.length;
  const query = target.indexOf('?');
  if (query >= 0) end = query;
  const hash = target.indexOf('#');
  if (hash >= 0 && hash < end) end = hash;
  return end === target.length ? target : target.slice(0, end);
}
