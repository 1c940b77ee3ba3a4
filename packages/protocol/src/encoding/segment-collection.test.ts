import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { segmentObject } from '../../test/arbitraries.js';
import { SegmentCollection, SegmentObject } from '../messages.js';
import { encodeSegmentObject } from './agent-encoders.js';
import { encodeSegmentCollection } from './segment-collection.js';

describe('encodeSegmentCollection', () => {
  it('equals encoding the SegmentCollection message normally', () => {
    fc.assert(
      fc.property(fc.array(segmentObject, { maxLength: 6 }), (segments) => {
        const framed = encodeSegmentCollection(segments.map(encodeSegmentObject));
        expect(framed).toEqual(SegmentCollection.encode({ segments }).finish());
      }),
      { numRuns: 200 },
    );
  });

  it('writes multi-byte varint lengths for large frames', () => {
    // 200 bytes needs a 2-byte varint, 20,000 a 3-byte one.
    for (const size of [127, 128, 200, 16_383, 16_384, 20_000]) {
      const segment = SegmentObject.fromPartial({ traceId: 'x'.repeat(size) });
      const frame = encodeSegmentObject(segment);
      const framed = encodeSegmentCollection([frame, frame]);
      expect(framed).toEqual(SegmentCollection.encode({ segments: [segment, segment] }).finish());
      expect(SegmentCollection.decode(framed).segments).toEqual([segment, segment]);
    }
  });

  it('frames an empty batch as an empty message and keeps empty segments', () => {
    expect(encodeSegmentCollection([])).toEqual(new Uint8Array(0));
    const empty = encodeSegmentObject(SegmentObject.fromPartial({}));
    expect(empty.byteLength).toBe(0);
    expect(Array.from(encodeSegmentCollection([empty]))).toEqual([0x0a, 0x00]);
    expect(SegmentCollection.decode(encodeSegmentCollection([empty, empty])).segments).toHaveLength(
      2,
    );
  });

  it('copies frames that are views into a larger buffer correctly', () => {
    const frame = encodeSegmentObject(SegmentObject.fromPartial({ traceId: 'abc', service: 's' }));
    const backing = new Uint8Array(frame.byteLength + 10);
    backing.set(frame, 5);
    const view = backing.subarray(5, 5 + frame.byteLength);
    expect(encodeSegmentCollection([view])).toEqual(encodeSegmentCollection([frame]));
  });
});
