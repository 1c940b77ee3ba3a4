import { varintSize, writeVarint } from './varint.js';

// SegmentCollection is `repeated SegmentObject segments = 1`: field 1, wire type 2 (length-delimited).
const SEGMENTS_TAG = (1 << 3) | 2;

/**
 * Builds an encoded `SegmentCollection` from already-encoded `SegmentObject` frames without decoding
 * them: each frame becomes tag 0x0a + varint length + the frame bytes. The queue holds encoded frames,
 * so `collectInSync` can send a batch with one allocation and one copy per frame.
 */
export function encodeSegmentCollection(frames: readonly Uint8Array[]): Uint8Array {
  let size = 0;
  for (const frame of frames) size += 1 + varintSize(frame.byteLength) + frame.byteLength;
  const out = new Uint8Array(size);
  let offset = 0;
  for (const frame of frames) {
    out[offset++] = SEGMENTS_TAG;
    offset = writeVarint(out, offset, frame.byteLength);
    out.set(frame, offset);
    offset += frame.byteLength;
  }
  return out;
}
