import type { SegmentObject } from '@windsock/protocol';

/** One trace as the dashboard lists it, assembled from the retained segments that carry its trace id. */
export interface TraceSummary {
  traceId: string;
  /**
   * Services in call-tree order: the root segment's service first, then its callees depth-first (siblings by start
   * time). Segments whose parent segment has not arrived follow, each with its own callees.
   */
  services: string[];
  segments: number;
  spans: number;
  /** Epoch ms of the earliest span start. */
  startTime: number;
  /** From the earliest span start to the latest span end, in ms. */
  durationMs: number;
  /** Spans flagged `isError`. */
  errors: number;
  /** The operation of the root segment's entry span: the trace's endpoint; `''` while `rootArrived` is false. */
  endpoint: string;
  /** Whether the segment that started the trace (one without refs to a parent segment) has been received. */
  rootArrived: boolean;
}

interface Node {
  segment: SegmentObject;
  /** Arrival order among the trace's segments: breaks ties between equal start times. */
  order: number;
  start: number;
  parentId: string | undefined;
}

/** Summaries of the traces in `segments`, the most recently started first, at most `limit` of them. */
export function summarizeTraces(segments: readonly SegmentObject[], limit: number): TraceSummary[] {
  const byTrace = new Map<string, SegmentObject[]>();
  for (const segment of segments) {
    const list = byTrace.get(segment.traceId);
    if (list === undefined) byTrace.set(segment.traceId, [segment]);
    else list.push(segment);
  }
  return [...byTrace.entries()]
    .map(([traceId, list]) => summarize(traceId, list))
    .sort((a, b) => b.startTime - a.startTime)
    .slice(0, Math.max(0, limit));
}

function summarize(traceId: string, segments: readonly SegmentObject[]): TraceSummary {
  let spans = 0;
  let errors = 0;
  let startTime = Number.POSITIVE_INFINITY;
  let endTime = Number.NEGATIVE_INFINITY;
  const nodes: Node[] = segments.map((segment, order) => {
    let start = Number.POSITIVE_INFINITY;
    let parentId: string | undefined;
    for (const span of segment.spans) {
      spans += 1;
      if (span.isError) errors += 1;
      start = Math.min(start, span.startTime);
      endTime = Math.max(endTime, span.endTime);
      parentId ??= span.refs[0]?.parentTraceSegmentId;
    }
    startTime = Math.min(startTime, start);
    return { segment, order, start, parentId };
  });

  const byStart = (a: Node, b: Node) => a.start - b.start || a.order - b.order;
  const present = new Set(segments.map((s) => s.traceSegmentId));
  const children = new Map<string, Node[]>();
  const tops: Node[] = [];
  for (const node of nodes) {
    if (node.parentId !== undefined && present.has(node.parentId)) {
      const siblings = children.get(node.parentId);
      if (siblings === undefined) children.set(node.parentId, [node]);
      else siblings.push(node);
    } else {
      tops.push(node);
    }
  }
  // The root is a segment with spans and no ref: an agent writes a ref into every segment that continues a trace
  // (across processes or after its parent segment finished), so a segment without one is where the trace began.
  const isRoot = (node: Node) => node.segment.spans.length > 0 && node.parentId === undefined;
  tops.sort((a, b) => Number(isRoot(b)) - Number(isRoot(a)) || byStart(a, b));
  const root = tops[0] !== undefined && isRoot(tops[0]) ? tops[0] : undefined;

  const services: string[] = [];
  const visited = new Set<Node>();
  const visit = (node: Node) => {
    // A ref cycle cannot come from a correct agent, but a summary must not loop on a malformed one.
    if (visited.has(node)) return;
    visited.add(node);
    if (!services.includes(node.segment.service)) services.push(node.segment.service);
    for (const child of (children.get(node.segment.traceSegmentId) ?? []).sort(byStart))
      visit(child);
  };
  for (const node of tops) visit(node);
  for (const node of [...nodes].sort(byStart)) visit(node);

  const hasSpans = spans > 0;
  return {
    traceId,
    services,
    segments: segments.length,
    spans,
    startTime: hasSpans ? startTime : 0,
    durationMs: hasSpans ? Math.max(0, endTime - startTime) : 0,
    errors,
    endpoint: root === undefined ? '' : entryOperation(root.segment),
    rootArrived: root !== undefined,
  };
}

function entryOperation(segment: SegmentObject): string {
  // Agents finish child spans first, so the segment's entry is found by its parent (-1), not by its position.
  const entry = segment.spans.find((span) => span.parentSpanId === -1) ?? segment.spans[0];
  return entry?.operationName ?? '';
}
