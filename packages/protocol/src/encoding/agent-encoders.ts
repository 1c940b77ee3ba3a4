// The agent's encode entry points. They use the hand-tuned encoders, which are faster than the generated
// codecs and allocate less (protocol README); their output is byte-for-byte the generated encoding, checked
// on random messages in the tests.
import { type SegmentObject } from '../generated/language-agent/Tracing.js';
import { type LogData } from '../generated/logging/Logging.js';
import { FrameSlab } from './frame-builder.js';
import { encodeLogDataFast } from './log-encoder.js';
import { encodeSegmentObjectFast } from './segment-encoder.js';

/**
 * The agent's encoders. Each frame is cut from a slab this instance owns, one per kind (each kind's frames wait in
 * their own queue: see FrameSlab), so two agents in one process, or a test, share no encoding state.
 */
export class FrameEncoder {
  private readonly segmentSlab = new FrameSlab();
  private readonly logSlab = new FrameSlab();

  /** Encodes a finished segment into the frame the queue stores and the transport writes unchanged. */
  readonly segment = (segment: SegmentObject): Uint8Array =>
    encodeSegmentObjectFast(segment, this.segmentSlab);

  /** Encodes a log record into the frame the queue stores and the transport writes unchanged. */
  readonly log = (log: LogData): Uint8Array => encodeLogDataFast(log, this.logSlab);
}

/** One segment in a frame of its own (tests, tools); an agent encodes through its `FrameEncoder`. */
export function encodeSegmentObject(segment: SegmentObject): Uint8Array {
  return encodeSegmentObjectFast(segment);
}

/** One log record in a frame of its own (tests, tools); an agent encodes through its `FrameEncoder`. */
export function encodeLogData(log: LogData): Uint8Array {
  return encodeLogDataFast(log);
}
