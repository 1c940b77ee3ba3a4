import { SegmentObject } from '../generated/language-agent/Tracing.js';
import { LogData } from '../generated/logging/Logging.js';

/** Encodes a finished segment into the frame the queue stores and the transport writes unchanged. */
export function encodeSegmentObject(segment: SegmentObject): Uint8Array {
  return SegmentObject.encode(segment).finish();
}

/** Encodes a log record into the frame the queue stores and the transport writes unchanged. */
export function encodeLogData(log: LogData): Uint8Array {
  return LogData.encode(log).finish();
}
