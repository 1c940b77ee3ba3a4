// Hand-tuned SegmentObject encoder (single pass, see frame-builder.ts). Byte-for-byte identical to the
// generated `SegmentObject.encode(segment).finish()`, which segment-encoder.test.ts checks on random
// segments; keep the field order and the skip-if-default rules of the generated code when editing.
import { type KeyStringValuePair } from '../generated/common/Common.js';
import {
  RefType,
  type SegmentObject,
  type SegmentReference,
  SpanLayer,
  type SpanObject,
  SpanType,
} from '../generated/language-agent/Tracing.js';
import {
  boolField,
  closeMessage,
  finishFrame,
  type FrameSlab,
  int32Field,
  int64Field,
  openMessage,
  startFrame,
  stringField,
} from './frame-builder.js';

/** `repeated KeyStringValuePair` (key = 1, value = 2) under field `tag`. */
export function keyValuesField(tag: number, pairs: readonly KeyStringValuePair[]): void {
  for (const pair of pairs) {
    const mark = openMessage(tag, 1);
    if (pair.key !== '') stringField(0x0a, pair.key);
    if (pair.value !== '') stringField(0x12, pair.value);
    closeMessage(mark, 1);
  }
}

function writeReference(ref: SegmentReference): void {
  if (ref.refType !== RefType.CrossProcess) int32Field(0x08, ref.refType);
  if (ref.traceId !== '') stringField(0x12, ref.traceId);
  if (ref.parentTraceSegmentId !== '') stringField(0x1a, ref.parentTraceSegmentId);
  if (ref.parentSpanId !== 0) int32Field(0x20, ref.parentSpanId);
  if (ref.parentService !== '') stringField(0x2a, ref.parentService);
  if (ref.parentServiceInstance !== '') stringField(0x32, ref.parentServiceInstance);
  if (ref.parentEndpoint !== '') stringField(0x3a, ref.parentEndpoint);
  if (ref.networkAddressUsedAtPeer !== '') stringField(0x42, ref.networkAddressUsedAtPeer);
}

function writeSpan(span: SpanObject): void {
  if (span.spanId !== 0) int32Field(0x08, span.spanId);
  if (span.parentSpanId !== 0) int32Field(0x10, span.parentSpanId);
  if (span.startTime !== 0) int64Field(0x18, span.startTime);
  if (span.endTime !== 0) int64Field(0x20, span.endTime);
  for (const ref of span.refs) {
    const mark = openMessage(0x2a, 2);
    writeReference(ref);
    closeMessage(mark, 2);
  }
  if (span.operationName !== '') stringField(0x32, span.operationName);
  if (span.peer !== '') stringField(0x3a, span.peer);
  if (span.spanType !== SpanType.Entry) int32Field(0x40, span.spanType);
  if (span.spanLayer !== SpanLayer.Unknown) int32Field(0x48, span.spanLayer);
  if (span.componentId !== 0) int32Field(0x50, span.componentId);
  if (span.isError !== false) boolField(0x58, span.isError);
  keyValuesField(0x62, span.tags);
  for (const log of span.logs) {
    const mark = openMessage(0x6a, 1);
    if (log.time !== 0) int64Field(0x08, log.time);
    keyValuesField(0x12, log.data);
    closeMessage(mark, 1);
  }
  if (span.skipAnalysis !== false) boolField(0x70, span.skipAnalysis);
}

/** Encodes a SegmentObject exactly as `SegmentObject.encode(segment).finish()` does, faster. */
export function encodeSegmentObjectFast(segment: SegmentObject, slab?: FrameSlab): Uint8Array {
  startFrame();
  if (segment.traceId !== '') stringField(0x0a, segment.traceId);
  if (segment.traceSegmentId !== '') stringField(0x12, segment.traceSegmentId);
  for (const span of segment.spans) {
    const mark = openMessage(0x1a, 2);
    writeSpan(span);
    closeMessage(mark, 2);
  }
  if (segment.service !== '') stringField(0x22, segment.service);
  if (segment.serviceInstance !== '') stringField(0x2a, segment.serviceInstance);
  if (segment.isSizeLimited !== false) boolField(0x30, segment.isSizeLimited);
  return finishFrame(slab);
}
