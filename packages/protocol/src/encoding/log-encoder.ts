// Hand-tuned LogData encoder (single pass, see frame-builder.ts). Byte-for-byte identical to the
// generated `LogData.encode(log).finish()`, which log-encoder.test.ts checks on random records; keep the
// field order and the skip-if-default rules of the generated code when editing.
import { type LogData, type LogDataBody } from '../generated/logging/Logging.js';
import {
  closeMessage,
  finishFrame,
  type FrameSlab,
  int32Field,
  int64Field,
  openMessage,
  startFrame,
  stringField,
} from './frame-builder.js';
import { keyValuesField } from './segment-encoder.js';

/** TextLog, JSONLog and YAMLLog each hold one string in field 1. */
function singleStringMessage(tag: number, text: string): void {
  const mark = openMessage(tag, 1);
  if (text !== '') stringField(0x0a, text);
  closeMessage(mark, 1);
}

function writeBody(body: LogDataBody): void {
  if (body.type !== '') stringField(0x0a, body.type);
  // Like the generated code, every member of the `content` oneof that is set gets written.
  if (body.text !== undefined) singleStringMessage(0x12, body.text.text);
  if (body.json !== undefined) singleStringMessage(0x1a, body.json.json);
  if (body.yaml !== undefined) singleStringMessage(0x22, body.yaml.yaml);
}

/** Encodes a LogData exactly as `LogData.encode(log).finish()` does, faster. */
export function encodeLogDataFast(log: LogData, slab?: FrameSlab): Uint8Array {
  startFrame();
  if (log.timestamp !== 0) int64Field(0x08, log.timestamp);
  if (log.service !== '') stringField(0x12, log.service);
  if (log.serviceInstance !== '') stringField(0x1a, log.serviceInstance);
  if (log.endpoint !== '') stringField(0x22, log.endpoint);
  if (log.body !== undefined) {
    const mark = openMessage(0x2a, 2);
    writeBody(log.body);
    closeMessage(mark, 2);
  }
  const context = log.traceContext;
  if (context !== undefined) {
    const mark = openMessage(0x32, 1);
    if (context.traceId !== '') stringField(0x0a, context.traceId);
    if (context.traceSegmentId !== '') stringField(0x12, context.traceSegmentId);
    if (context.spanId !== 0) int32Field(0x18, context.spanId);
    closeMessage(mark, 1);
  }
  if (log.tags !== undefined) {
    const mark = openMessage(0x3a, 1);
    keyValuesField(0x0a, log.tags.data);
    closeMessage(mark, 1);
  }
  if (log.layer !== '') stringField(0x42, log.layer);
  return finishFrame(slab);
}
