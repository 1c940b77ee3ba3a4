import type { SegmentObject } from '@windsock/protocol';

/** One trace as the dashboard lists it, assembled from the retained segments that carry its trace id. */
export interface TraceSummary {
  traceId: string;
  /** Services in the order their segments arrived. */
  services: string[];
  segments: number;
  spans: number;
  /** Epoch ms of the earliest span start. */
  startTime: number;
  /** From the earliest span start to the latest span end, in ms. */
  durationMs: number;
  /** Spans flagged `isError`. */
  errors: number;
  /** The operation of the first span of the earliest segment, usually the entry endpoint. */
  endpoint: string;
}

/** Summaries of the traces in `segments`, the most recently started first, at most `limit` of them. */
export function summarizeTraces(segments: readonly SegmentObject[], limit: number): TraceSummary[] {
  const byTrace = new Map<string, TraceSummary & { endTime: number }>();
  for (const segment of segments) {
    let trace = byTrace.get(segment.traceId);
    if (trace === undefined) {
      trace = {
        traceId: segment.traceId,
        services: [],
        segments: 0,
        spans: 0,
        startTime: Number.POSITIVE_INFINITY,
        endTime: Number.NEGATIVE_INFINITY,
        durationMs: 0,
        errors: 0,
        endpoint: '',
      };
      byTrace.set(segment.traceId, trace);
    }
    trace.segments += 1;
    if (!trace.services.includes(segment.service)) trace.services.push(segment.service);
    for (const span of segment.spans) {
      trace.spans += 1;
      if (span.isError) trace.errors += 1;
      if (span.startTime < trace.startTime) {
        trace.startTime = span.startTime;
        trace.endpoint = firstOperation(segment);
      }
      trace.endTime = Math.max(trace.endTime, span.endTime);
    }
  }
  return [...byTrace.values()]
    .map(({ endTime, ...trace }) => {
      const hasSpans = trace.spans > 0;
      return {
        ...trace,
        startTime: hasSpans ? trace.startTime : 0,
        durationMs: hasSpans ? Math.max(0, endTime - trace.startTime) : 0,
      };
    })
    .sort((a, b) => b.startTime - a.startTime)
    .slice(0, Math.max(0, limit));
}

function firstOperation(segment: SegmentObject): string {
  // Agents finish child spans first, so the segment's first span (its entry) is the one whose parent is -1.
  const root = segment.spans.find((span) => span.parentSpanId === -1) ?? segment.spans[0];
  return root?.operationName ?? '';
}
