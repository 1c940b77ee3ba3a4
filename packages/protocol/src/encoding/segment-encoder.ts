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
import { type FrameSlab, FrameWriter } from './frame-builder.js';

/** Scratch for a frame encoded without a slab: most frames fit, a larger one grows it. */
const ONE_FRAME = 1024;

/** `repeated KeyStringValuePair` (key = 1, value = 2) under field `tag`. */
export function keyValuesField(
  frame: FrameWriter,
  tag: number,
  pairs: readonly KeyStringValuePair[],
): void {
  for (const pair of pairs) {
    const mark = frame.openMessage(tag, 1);
    if (pair.key !== '') frame.stringField(0x0a, pair.key);
    if (pair.value !== '') frame.stringField(0x12, pair.value);
    frame.closeMessage(mark, 1);
  }
}

function writeReference(frame: FrameWriter, ref: SegmentReference): void {
  if (ref.refType !== RefType.CrossProcess) frame.int32Field(0x08, ref.refType);
  if (ref.traceId !== '') frame.stringField(0x12, ref.traceId);
  if (ref.parentTraceSegmentId !== '') frame.stringField(0x1a, ref.parentTraceSegmentId);
  if (ref.parentSpanId !== 0) frame.int32Field(0x20, ref.parentSpanId);
  if (ref.parentService !== '') frame.stringField(0x2a, ref.parentService);
  if (ref.parentServiceInstance !== '') frame.stringField(0x32, ref.parentServiceInstance);
  if (ref.parentEndpoint !== '') frame.stringField(0x3a, ref.parentEndpoint);
  if (ref.networkAddressUsedAtPeer !== '') frame.stringField(0x42, ref.networkAddressUsedAtPeer);
}

function writeSpan(frame: FrameWriter, span: SpanObject): void {
  if (span.spanId !== 0) frame.int32Field(0x08, span.spanId);
  if (span.parentSpanId !== 0) frame.int32Field(0x10, span.parentSpanId);
  if (span.startTime !== 0) frame.int64Field(0x18, span.startTime);
  if (span.endTime !== 0) frame.int64Field(0x20, span.endTime);
  for (const ref of span.refs) {
    const mark = frame.openMessage(0x2a, 2);
    writeReference(frame, ref);
    frame.closeMessage(mark, 2);
  }
  if (span.operationName !== '') frame.stringField(0x32, span.operationName);
  if (span.peer !== '') frame.stringField(0x3a, span.peer);
  if (span.spanType !== SpanType.Entry) frame.int32Field(0x40, span.spanType);
  if (span.spanLayer !== SpanLayer.Unknown) frame.int32Field(0x48, span.spanLayer);
  if (span.componentId !== 0) frame.int32Field(0x50, span.componentId);
  if (span.isError !== false) frame.boolField(0x58, span.isError);
  keyValuesField(frame, 0x62, span.tags);
  for (const log of span.logs) {
    const mark = frame.openMessage(0x6a, 1);
    if (log.time !== 0) frame.int64Field(0x08, log.time);
    keyValuesField(frame, 0x12, log.data);
    frame.closeMessage(mark, 1);
  }
  if (span.skipAnalysis !== false) frame.boolField(0x70, span.skipAnalysis);
}

/** Encodes a SegmentObject exactly as `SegmentObject.encode(segment).finish()` does, faster. */
export function encodeSegmentObjectFast(segment: SegmentObject, slab?: FrameSlab): Uint8Array {
  const frame = slab === undefined ? new FrameWriter(ONE_FRAME) : slab.writer();
  if (segment.traceId !== '') frame.stringField(0x0a, segment.traceId);
  if (segment.traceSegmentId !== '') frame.stringField(0x12, segment.traceSegmentId);
  for (const span of segment.spans) {
    const mark = frame.openMessage(0x1a, 2);
    writeSpan(frame, span);
    frame.closeMessage(mark, 2);
  }
  if (segment.service !== '') frame.stringField(0x22, segment.service);
  if (segment.serviceInstance !== '') frame.stringField(0x2a, segment.serviceInstance);
  if (segment.isSizeLimited !== false) frame.boolField(0x30, segment.isSizeLimited);
  return slab === undefined ? frame.finish() : slab.finish(frame);
}
