// The agent's encode entry points. They use the hand-tuned encoders, which are faster than the generated
// codecs and allocate less (protocol README); their output is byte-for-byte the generated encoding, checked
// on random messages in the tests.
import { type SegmentObject } from '../generated/language-agent/Tracing.js';
import { type LogData } from '../generated/logging/Logging.js';
import { FrameSlab } from './frame-builder.js';
import { encodeLogDataFast } from './log-encoder.js';
import { encodeSegmentObjectFast } from './segment-encoder.js';

// One slab per kind: each kind's frames wait in their own queue (see FrameSlab).
const segmentSlab = new FrameSlab();
const logSlab = new FrameSlab();

/** Encodes a finished segment into the frame the queue stores and the transport writes unchanged. */
export function encodeSegmentObject(segment: SegmentObject): Uint8Array {
  return encodeSegmentObjectFast(segment, segmentSlab);
}

/** Encodes a log record into the frame the queue stores and the transport writes unchanged. */
export function encodeLogData(log: LogData): Uint8Array {
  return encodeLogDataFast(log, logSlab);
}
