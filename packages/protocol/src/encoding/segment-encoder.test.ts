import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { segmentObject, spanObject } from '../../test/arbitraries.js';
import { SegmentObject, SpanObject } from '../messages.js';
import { FrameSlab } from './frame-builder.js';
import { encodeSegmentObjectFast } from './segment-encoder.js';

const generated = (segment: SegmentObject) => SegmentObject.encode(segment).finish();

/** Strings the UTF-8 writer must get exactly right: lone surrogates, astral pairs, long ASCII. */
const awkwardText = fc.oneof(
  fc.string({
    unit: fc.constantFrom('a', 'é', '€', '😀', '\ud800', '\udfff', '\u0000'),
    maxLength: 60,
  }),
  fc.string({ unit: 'grapheme-ascii', minLength: 200, maxLength: 400 }),
  fc.string({ unit: 'binary', maxLength: 300 }),
);

describe('encodeSegmentObjectFast', () => {
  it('is byte-for-byte the generated encoding for random segments', () => {
    fc.assert(
      fc.property(segmentObject, (segment) => {
        expect(encodeSegmentObjectFast(segment)).toEqual(generated(segment));
      }),
      { numRuns: 1000 },
    );
  });

  it('writes awkward strings exactly as TextEncoder does', () => {
    const withText = fc
      .tuple(spanObject, awkwardText, awkwardText, awkwardText)
      .map(([span, operationName, peer, value]) =>
        SegmentObject.fromPartial({
          traceId: operationName,
          spans: [{ ...span, operationName, peer, tags: [{ key: peer, value }] }],
          service: value,
        }),
      );
    fc.assert(
      fc.property(withText, (segment) => {
        expect(encodeSegmentObjectFast(segment)).toEqual(generated(segment));
      }),
      { numRuns: 1000 },
    );
  });

  it('gets the length prefix right where UTF-8 lengths cross 127 and 16,383 bytes', () => {
    for (const unit of ['é', '€', '😀', '\ud800', 'a']) {
      for (let count = 1; count <= 130; count++) {
        const texts = [
          unit.repeat(count),
          'a'.repeat(count) + unit,
          unit + 'a'.repeat(16_250 + count),
        ];
        for (const text of texts) {
          const segment = SegmentObject.fromPartial({ spans: [{ operationName: text }] });
          expect(Buffer.from(encodeSegmentObjectFast(segment)).equals(generated(segment))).toBe(
            true,
          );
        }
      }
    }
  });

  it('matches on integer edges, including negative and beyond-2^53 int64', () => {
    const edges = [
      0,
      1,
      127,
      128,
      2 ** 31 - 1,
      2 ** 31,
      2 ** 32 - 1,
      2 ** 32,
      2 ** 53 - 1,
      2 ** 60,
      -1,
      -(2 ** 40),
    ];
    for (const time of edges) {
      const segment = SegmentObject.fromPartial({
        spans: [
          {
            spanId: -1,
            parentSpanId: -(2 ** 31),
            startTime: time,
            endTime: time,
            logs: [{ time }],
          },
        ],
      });
      expect(encodeSegmentObjectFast(segment)).toEqual(generated(segment));
    }
  });

  it('throws where the generated encoder throws: non-integer or out-of-range numbers', () => {
    for (const span of [
      { startTime: 1.5 },
      { startTime: Number.NaN },
      { spanId: 2 ** 31 },
      { componentId: 0.5 },
    ]) {
      const segment = SegmentObject.fromPartial({ spans: [SpanObject.fromPartial(span)] });
      expect(() => generated(segment)).toThrow();
      expect(() => encodeSegmentObjectFast(segment)).toThrow(RangeError);
    }
  });

  it('sizes length prefixes of every width, and grows past its scratch buffer', () => {
    for (const size of [0, 1, 100, 126, 127, 128, 16_383, 16_384, 70_000]) {
      const text = 'x'.repeat(size);
      const segment = SegmentObject.fromPartial({
        traceId: text,
        spans: [
          {
            operationName: text,
            refs: [{ parentEndpoint: text }],
            tags: [{ key: 'k', value: text }],
          },
          { spanId: 1 },
        ],
      });
      // Buffer#equals: toEqual walks large arrays element by element.
      const fast = Buffer.from(encodeSegmentObjectFast(segment));
      expect(fast.equals(generated(segment))).toBe(true);
    }
  });

  it('returns independent, exactly-sized arrays', () => {
    const first = SegmentObject.fromPartial({ traceId: 'first', spans: [{ operationName: 'a' }] });
    const second = SegmentObject.fromPartial({
      traceId: 'second',
      spans: [{ operationName: 'b' }],
    });
    const a = encodeSegmentObjectFast(first);
    const b = encodeSegmentObjectFast(second);
    expect(a).toEqual(generated(first));
    expect(b).toEqual(generated(second));
    expect(a.buffer.byteLength).toBe(a.byteLength);
    expect(a.buffer).not.toBe(b.buffer);
  });

  it('can be re-entered: a segment encoded while another is half written leaves both right', () => {
    fc.assert(
      fc.property(segmentObject, segmentObject, fc.boolean(), (outer, inner, withSlab) => {
        const slab = withSlab ? new FrameSlab() : undefined;
        let innerFrame: Uint8Array | undefined;
        // A getter that encodes another segment (into the same slab) while the outer one is being written.
        const reentrant = {
          ...outer,
          get service() {
            innerFrame = encodeSegmentObjectFast(inner, slab);
            return outer.service;
          },
        };
        const outerFrame = encodeSegmentObjectFast(reentrant, slab);
        // And the slab's writer still works afterwards.
        const again = encodeSegmentObjectFast(outer, slab);
        expect(outerFrame).toEqual(generated(outer));
        expect(innerFrame).toEqual(generated(inner));
        expect(again).toEqual(generated(outer));
      }),
      { numRuns: 200 },
    );
  });
});
