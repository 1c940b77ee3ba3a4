import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mutated, randomHeaderValue, sw8Context } from '../../test/header-fuzz.js';
import { referenceDecodeSw8, referenceEncodeSw8 } from '../../test/reference-sw8.js';
import { decodeSw8, decodeSw8Trace, encodeSw8, type Sw8Context } from './sw8.js';
import { Sw8Decoder } from './sw8-decoder.js';

// A few callers calling a few endpoints, as a server hears them, each with fresh ids.
const callers = Array.from({ length: 12 }, (_, i) => ({
  parentService: `svc-${i % 3}`,
  parentServiceInstance: `inst-${i % 2}@10.0.0.${i}`,
  parentEndpoint: ['GET:/a', 'POST:/b/\u00e9', ''][i % 3]!,
  addressUsedAtClient: `peer-${i % 4}:80${i}`,
}));
const fromKnownCaller = fc
  .tuple(fc.constantFrom(...callers), sw8Context)
  .map(([caller, ctx]) => encodeSw8({ ...ctx, ...caller }));

const base: Sw8Context = {
  sample: true,
  traceId: 'trace.1',
  parentSegmentId: 'segment.1',
  parentSpanId: 3,
  parentService: 'orders',
  parentServiceInstance: 'orders-1@host',
  parentEndpoint: 'GET:/orders',
  addressUsedAtClient: 'orders:8080',
};

describe('Sw8Decoder', () => {
  it('decodes or refuses as the previous codec on 10,000 random and mutated values, through one decoder', () => {
    const decoder = new Sw8Decoder();
    const headers = fc.oneof(
      randomHeaderValue,
      fromKnownCaller,
      mutated(fromKnownCaller),
      mutated(sw8Context.map(referenceEncodeSw8)),
    );
    fc.assert(
      fc.property(headers, (header) => {
        expect(decoder.decode(header)).toEqual(referenceDecodeSw8(header));
        expect(decoder.decodeTrace(header)).toEqual(decodeSw8Trace(header));
      }),
      { numRuns: 10_000 },
    );
    expect(decoder.size).toBeGreaterThan(0);
    expect(decoder.size).toBeLessThanOrEqual(64);
  });

  it('remembers a caller block on a miss and finds it for the next value from the same caller', () => {
    const decoder = new Sw8Decoder();
    expect(decoder.size).toBe(0);
    const first = decoder.decode(encodeSw8(base));
    expect(first).toEqual(base);
    expect(decoder.size).toBe(1);

    const next = { ...base, traceId: 'trace.2', parentSegmentId: 'segment.2', parentSpanId: 7 };
    expect(decoder.decode(encodeSw8(next))).toEqual(next);
    expect(decoder.size).toBe(1); // a hit: nothing new remembered

    const other = { ...base, parentEndpoint: 'POST:/orders' };
    expect(decoder.decode(encodeSw8(other))).toEqual(other);
    expect(decoder.size).toBe(2); // a miss: a second block
  });

  it('decodes two callers in alternation right, also after other blocks took their slots', () => {
    const decoder = new Sw8Decoder(2);
    const a = { ...base, parentEndpoint: '/a' };
    const b = { ...base, parentEndpoint: 'GET:/a', addressUsedAtClient: '127.0.0.1:80' };
    const fresh = (ctx: Sw8Context, i: number) => ({
      ...ctx,
      traceId: `trace.${i}`,
      parentSegmentId: `segment.${i}`,
    });
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 6; i++) {
        const ctx = fresh(i % 2 === 0 ? a : b, i);
        expect(decoder.decode(encodeSw8(ctx))).toEqual(ctx);
        expect(decoder.decodeTrace(encodeSw8(ctx))).toEqual(decodeSw8Trace(encodeSw8(ctx)));
      }
      expect(decoder.size).toBe(2); // the alternation remembered nothing more
      for (let i = 0; i < 5; i++) {
        const other = { ...base, parentEndpoint: `/other/${round}/${i}` };
        expect(decoder.decode(encodeSw8(other))).toEqual(other);
      }
    }
  });

  it('hands out contexts that do not share the remembered names', () => {
    const decoder = new Sw8Decoder();
    const first = decoder.decode(encodeSw8(base))!;
    first.parentService = 'changed by the caller of decode';
    expect(decoder.decode(encodeSw8(base))).toEqual(base);
  });

  it('never returns a stale decode for a block that differs from a remembered one in one character', () => {
    const decoder = new Sw8Decoder();
    const header = encodeSw8(base);
    decoder.decode(header);
    const blockStart = header.split('-', 4).join('-').length + 1;
    for (let i = blockStart; i < header.length; i++) {
      for (const c of ['A', 'B', 'z', '+', '=', '-', ' ', '\u00e9']) {
        const changed = header.slice(0, i) + c + header.slice(i + 1);
        expect(decoder.decode(changed)).toEqual(decodeSw8(changed));
      }
      decoder.decode(header); // still remembered after the misses around it
    }
    expect(decoder.decode(header)).toEqual(base);
  });

  it('keeps at most its capacity when every value brings a new block, and still decodes each one', () => {
    const decoder = new Sw8Decoder(4);
    const contexts = Array.from({ length: 100 }, (_, i) => ({
      ...base,
      parentEndpoint: `/e/${i}`,
    }));
    for (const ctx of contexts) {
      expect(decoder.decode(encodeSw8(ctx))).toEqual(ctx);
      expect(decoder.size).toBeLessThanOrEqual(4);
    }
    expect(decoder.size).toBe(4);
    // Evicted blocks are decoded again, not lost.
    for (const ctx of contexts) expect(decoder.decode(encodeSw8(ctx))).toEqual(ctx);
  });

  it('remembers no malformed block, and refuses a value whose block was malformed before', () => {
    const decoder = new Sw8Decoder();
    const header = encodeSw8(base);
    const broken = header.slice(0, -2) + '!!';
    expect(decoder.decode(broken)).toBeUndefined();
    expect(decoder.decodeTrace(broken)).toBeUndefined();
    expect(decoder.size).toBe(0);
    expect(decoder.decode(broken)).toBeUndefined();
    // Whitespace that atob would skip is refused too.
    const spaced =
      header.slice(0, header.lastIndexOf('-') + 1) +
      ' ' +
      header.slice(header.lastIndexOf('-') + 2);
    expect(decoder.decode(spaced)).toBeUndefined();
    expect(decodeSw8(spaced)).toBeUndefined();
  });

  it('decodes long caller blocks without remembering them', () => {
    const decoder = new Sw8Decoder();
    const long = { ...base, parentEndpoint: 'x'.repeat(1000) };
    expect(decoder.decode(encodeSw8(long))).toEqual(long);
    expect(decoder.decodeTrace(encodeSw8(long))).toEqual(decodeSw8Trace(encodeSw8(long)));
    expect(decoder.size).toBe(0);
  });

  it('reads an unsampled value the same whether its block is remembered or not', () => {
    const decoder = new Sw8Decoder();
    const unsampled = encodeSw8({ ...base, sample: false });
    const expected = decodeSw8Trace(unsampled);
    expect(decoder.decodeTrace(unsampled)).toEqual(expected);
    decoder.decode(unsampled);
    expect(decoder.size).toBe(1);
    expect(decoder.decodeTrace(unsampled)).toEqual(expected);
  });

  it('rounds a capacity up to a power of two and falls back for a bad one', () => {
    const fill = (decoder: Sw8Decoder) => {
      for (let i = 0; i < 300; i++) decoder.decode(encodeSw8({ ...base, parentEndpoint: `/${i}` }));
      return decoder.size;
    };
    expect(fill(new Sw8Decoder(3))).toBe(4);
    expect(fill(new Sw8Decoder(Number.NaN))).toBe(64);
    expect(fill(new Sw8Decoder(-1))).toBe(64);
  });
});
