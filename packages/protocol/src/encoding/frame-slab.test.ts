import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { logData, segmentObject } from '../../test/arbitraries.js';
import { LogData, SegmentObject } from '../messages.js';
import { FrameEncoder } from './agent-encoders.js';
import { FrameSlab, SLAB_BYTES } from './frame-builder.js';
import { encodeSegmentObjectFast } from './segment-encoder.js';

const small = SegmentObject.fromPartial({ traceId: 't', traceSegmentId: 's', service: 'svc' });

describe('frames cut from a slab', () => {
  it('stay byte-for-byte the generated encoding while later frames are written beside them', () => {
    fc.assert(
      fc.property(fc.array(segmentObject, { minLength: 1, maxLength: 60 }), (segments) => {
        const slab = new FrameSlab();
        // All frames first, checks after: a frame overwritten by a later one would show here.
        const frames = segments.map((segment) => encodeSegmentObjectFast(segment, slab));
        frames.forEach((frame, i) => {
          expect(frame).toEqual(SegmentObject.encode(segments[i]!).finish());
        });
      }),
      { numRuns: 200 },
    );
  });

  it('two encoders share no slab: one never cuts frames from the other', () => {
    const a = new FrameEncoder();
    const b = new FrameEncoder();
    const fromA = a.segment(small);
    const fromB = b.segment(small);
    expect(fromA).toEqual(fromB);
    expect(fromA.buffer).not.toBe(fromB.buffer);
    // Within one encoder, consecutive frames share its slab.
    expect(a.segment(small).buffer).toBe(fromA.buffer);
  });

  it('the agent encoders keep segments and logs apart, and each frame right', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(segmentObject, logData), { maxLength: 30 }), (pairs) => {
        const encoder = new FrameEncoder();
        const frames = pairs.map(
          ([segment, log]) => [encoder.segment(segment), encoder.log(log)] as const,
        );
        frames.forEach(([segmentFrame, logFrame], i) => {
          expect(segmentFrame).toEqual(SegmentObject.encode(pairs[i]![0]).finish());
          expect(logFrame).toEqual(LogData.encode(pairs[i]![1]).finish());
          expect(segmentFrame.buffer).not.toBe(logFrame.buffer);
        });
      }),
      { numRuns: 100 },
    );
  });

  it('share one slab until it is full, then start another', () => {
    const slab = new FrameSlab();
    const first = encodeSegmentObjectFast(small, slab);
    const second = encodeSegmentObjectFast(small, slab);
    expect(second.buffer).toBe(first.buffer);
    expect(first.buffer.byteLength).toBe(SLAB_BYTES);
    expect(second.byteOffset).toBe(first.byteOffset + first.byteLength);

    const perSlab = Math.floor(SLAB_BYTES / first.byteLength);
    let last = second;
    for (let i = 2; i < perSlab; i++) last = encodeSegmentObjectFast(small, slab);
    expect(last.buffer).toBe(first.buffer);
    const next = encodeSegmentObjectFast(small, slab);
    expect(next.buffer).not.toBe(first.buffer);
    expect(next.byteOffset).toBe(0);
    expect(next).toEqual(first);
  });

  it('gives a large frame an exactly sized array of its own', () => {
    const slab = new FrameSlab();
    const large = SegmentObject.fromPartial({ traceId: 'x'.repeat(SLAB_BYTES / 4 + 1) });
    const frame = encodeSegmentObjectFast(large, slab);
    expect(frame.byteOffset).toBe(0);
    expect(frame.buffer.byteLength).toBe(frame.byteLength);
    expect(frame).toEqual(SegmentObject.encode(large).finish());
  });

  it('without a slab, every frame has an exactly sized array of its own', () => {
    const frame = encodeSegmentObjectFast(small);
    expect(frame.byteOffset).toBe(0);
    expect(frame.buffer.byteLength).toBe(frame.byteLength);
  });
});
