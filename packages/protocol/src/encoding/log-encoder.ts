// Hand-tuned LogData encoder (single pass, see frame-builder.ts). Byte-for-byte identical to the
// generated `LogData.encode(log).finish()`, which log-encoder.test.ts checks on random records; keep the
// field order and the skip-if-default rules of the generated code when editing.
import { type LogData, type LogDataBody } from '../generated/logging/Logging.js';
import { type FrameSlab, FrameWriter } from './frame-builder.js';

/** Scratch for a frame encoded without a slab: most frames fit, a larger one grows it. */
const ONE_FRAME = 1024;
import { keyValuesField } from './segment-encoder.js';

/** TextLog, JSONLog and YAMLLog each hold one string in field 1. */
function singleStringMessage(frame: FrameWriter, tag: number, text: string): void {
  const mark = frame.openMessage(tag, 1);
  if (text !== '') frame.stringField(0x0a, text);
  frame.closeMessage(mark, 1);
}

function writeBody(frame: FrameWriter, body: LogDataBody): void {
  if (body.type !== '') frame.stringField(0x0a, body.type);
  // Like the generated code, every member of the `content` oneof that is set gets written.
  if (body.text !== undefined) singleStringMessage(frame, 0x12, body.text.text);
  if (body.json !== undefined) singleStringMessage(frame, 0x1a, body.json.json);
  if (body.yaml !== undefined) singleStringMessage(frame, 0x22, body.yaml.yaml);
}

/** Encodes a LogData exactly as `LogData.encode(log).finish()` does, faster. */
export function encodeLogDataFast(log: LogData, slab?: FrameSlab): Uint8Array {
  const frame = slab === undefined ? new FrameWriter(ONE_FRAME) : slab.writer();
  if (log.timestamp !== 0) frame.int64Field(0x08, log.timestamp);
  if (log.service !== '') frame.stringField(0x12, log.service);
  if (log.serviceInstance !== '') frame.stringField(0x1a, log.serviceInstance);
  if (log.endpoint !== '') frame.stringField(0x22, log.endpoint);
  if (log.body !== undefined) {
    const mark = frame.openMessage(0x2a, 2);
    writeBody(frame, log.body);
    frame.closeMessage(mark, 2);
  }
  const context = log.traceContext;
  if (context !== undefined) {
    const mark = frame.openMessage(0x32, 1);
    if (context.traceId !== '') frame.stringField(0x0a, context.traceId);
    if (context.traceSegmentId !== '') frame.stringField(0x12, context.traceSegmentId);
    if (context.spanId !== 0) frame.int32Field(0x18, context.spanId);
    frame.closeMessage(mark, 1);
  }
  if (log.tags !== undefined) {
    const mark = frame.openMessage(0x3a, 1);
    keyValuesField(frame, 0x0a, log.tags.data);
    frame.closeMessage(mark, 1);
  }
  if (log.layer !== '') frame.stringField(0x42, log.layer);
  return slab === undefined ? frame.finish() : slab.finish(frame);
}
