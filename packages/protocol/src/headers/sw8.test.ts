import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mutated, randomHeaderValue, sw8Context, sw8Field } from '../../test/header-fuzz.js';
import {
  decodeSw8,
  decodeSw8Trace,
  encodeSw8,
  encodeSw8Name,
  encodeSw8SegmentPart,
  encodeSw8WithSegmentPart,
  joinSw8,
  decodeSw8TraceIdField,
  encodeSw8SegmentPartWithTraceField,
  unsampledTraceIdField,
  type Sw8Context,
} from './sw8.js';
import { referenceDecodeSw8, referenceEncodeSw8 } from '../../test/reference-sw8.js';

const example: Sw8Context = {
  sample: true,
  traceId: 'a4ec6f0e.1.16',
  parentSegmentId: 'a4ec6f0e.2.17',
  parentSpanId: 2,
  parentService: 'onemore-a',
  parentServiceInstance: 'e1d@host',
  parentEndpoint: '/onemore-a/get',
  addressUsedAtClient: '192.168.1.102:80',
};
// The service, endpoint and peer parts are the ones in the SkyWalking protocol document's example.
const exampleHeader =
  '1-YTRlYzZmMGUuMS4xNg==-YTRlYzZmMGUuMi4xNw==-2-b25lbW9yZS1h-ZTFkQGhvc3Q=-L29uZW1vcmUtYS9nZXQ=-MTkyLjE2OC4xLjEwMjo4MA==';

describe('sw8', () => {
  it('encodes the documented format', () => {
    expect(encodeSw8(example)).toBe(exampleHeader);
    expect(encodeSw8({ ...example, sample: false }).startsWith('0-')).toBe(true);
  });

  it('decodes the documented format', () => {
    expect(decodeSw8(exampleHeader)).toEqual(example);
  });

  it('round-trips any context', () => {
    fc.assert(
      fc.property(sw8Context, (ctx) => {
        expect(decodeSw8(encodeSw8(ctx))).toEqual(ctx);
      }),
      { numRuns: 1000 },
    );
  });

  it("takes an unsampled caller's trace id field from every value decodeSw8Trace accepts, spelled canonically", () => {
    const unsampled = sw8Context.map((ctx) => encodeSw8({ ...ctx, sample: false }));
    // Ids of any bytes (not all UTF-8), spelled as callers may spell them: padded or not, stray low bits or not.
    const anyBytes = fc
      .tuple(fc.uint8Array({ minLength: 1, maxLength: 30 }), fc.boolean(), fc.boolean())
      .map(([bytes, unpadded, stray]) => {
        let field = Buffer.from(bytes).toString('base64');
        const pad = field.length - field.replace(/=+$/, '').length;
        if (stray && pad > 0) {
          const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
          const at = field.length - pad - 1;
          field =
            field.slice(0, at) + ALPHABET[ALPHABET.indexOf(field[at]!) | 1] + field.slice(at + 1);
        }
        if (unpadded) field = field.replace(/=+$/, '');
        return `0-${field}-czE-3-c3Zj-aW5zdA-ZW5kcG9pbnQ-cGVlcg==`;
      });
    const headers = fc.oneof(
      randomHeaderValue,
      unsampled,
      mutated(unsampled),
      anyBytes,
      mutated(anyBytes),
    );
    fc.assert(
      fc.property(headers, (header) => {
        const field = unsampledTraceIdField(header);
        const trace = decodeSw8Trace(header);
        if (field === undefined) {
          expect(trace?.sample === false).toBe(false);
          return;
        }
        const sent = header.slice(2, header.indexOf('-', 2));
        expect(field).toBe(Buffer.from(sent, 'base64').toString('base64'));
        if (trace === undefined) return; // the rest of the value is not read
        expect(decodeSw8TraceIdField(field)).toBe(trace.traceId);
        // Where the id is UTF-8, sending the field on is sending the decoded id encoded again.
        if (Buffer.from(trace.traceId).toString('base64') === field) {
          expect(encodeSw8SegmentPartWithTraceField(false, field, 'segment.1')).toBe(
            encodeSw8SegmentPart(false, trace.traceId, 'segment.1'),
          );
        }
      }),
      { numRuns: 10_000 },
    );
    expect(unsampledTraceIdField(encodeSw8({ ...example, sample: true }))).toBeUndefined();
  });

  it('accepts base64 without padding and empty optional fields', () => {
    expect(decodeSw8('0-dDE-czE-0----')).toEqual({
      sample: false,
      traceId: 't1',
      parentSegmentId: 's1',
      parentSpanId: 0,
      parentService: '',
      parentServiceInstance: '',
      parentEndpoint: '',
      addressUsedAtClient: '',
    });
  });

  const valid = '1-dDE=-czE=-3-c3Zj-aW5zdA==-R0VUOi94-MTI3LjAuMC4xOjgw';
  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['7 fields', '1-dDE=-czE=-3-c3Zj-aW5zdA==-R0VUOi94'],
    ['9 fields', `${valid}-eA==`],
    ['sample flag 2', valid.replace(/^1/, '2')],
    ['sample flag of two characters', `11${valid.slice(1)}`],
    ['non-integer span id', valid.replace('-3-', '-3.5-')],
    ['negative span id', valid.replace('-3-', '--3-')],
    ['span id in hex', valid.replace('-3-', '-0x3-')],
    ['span id beyond int32', valid.replace('-3-', '-2147483648-')],
    ['empty span id', valid.replace('-3-', '--')],
    ['a character outside base64', valid.replace('c3Zj', 'c3Z!')],
    ['base64 of impossible length', valid.replace('c3Zj', 'c3Zjd')],
    ['padding in the middle', valid.replace('aW5zdA==', 'aW5=zdA=')],
    ['padding on a partial quantum', valid.replace('aW5zdA==', 'aW5zdA=')],
    ['empty trace id', valid.replace('-dDE=-', '--')],
    ['empty segment id', valid.replace('-czE=-', '--')],
    ['over 2 KB', valid.slice(0, -4) + 'QUFB'.repeat(600)],
  ])('returns undefined for %s', (_name, header) => {
    expect(decodeSw8(header)).toBeUndefined();
  });

  it('accepts a header of exactly 2 KB and refuses one byte more', () => {
    const prefix = valid.slice(0, valid.lastIndexOf('-') + 1);
    const atLimit = prefix + 'QUFB'.repeat(Math.floor((2048 - prefix.length) / 4)) + 'QUE';
    expect(atLimit.length).toBe(2048);
    expect(decodeSw8(atLimit)?.addressUsedAtClient).toMatch(/^A+$/);
    expect(decodeSw8(atLimit + 'A')).toBeUndefined();
  });

  it('never throws on 10,000 random and mutated values, and what it accepts re-encodes', () => {
    const headers = fc.oneof(randomHeaderValue, mutated(sw8Context.map(encodeSw8)));
    fc.assert(
      fc.property(headers, (header) => {
        const decoded = decodeSw8(header);
        if (decoded !== undefined) {
          expect(decodeSw8(encodeSw8(decoded))).toEqual(decoded);
        }
      }),
      { numRuns: 10_000 },
    );
  });
});

describe('sw8, in parts', () => {
  it('decodeSw8Trace refuses what decodeSw8 refuses and reads the same trace position', () => {
    const headers = fc.oneof(
      randomHeaderValue,
      mutated(sw8Context.map(encodeSw8)),
      sw8Context.map(encodeSw8),
    );
    fc.assert(
      fc.property(headers, (header) => {
        const full = decodeSw8(header);
        const trace = decodeSw8Trace(header);
        if (full === undefined) {
          expect(trace).toBeUndefined();
        } else {
          const { sample, traceId, parentSegmentId, parentSpanId } = full;
          expect(trace).toEqual({ sample, traceId, parentSegmentId, parentSpanId });
        }
      }),
      { numRuns: 5000 },
    );
  });

  it('joinSw8 of parts encoded apart is encodeSw8', () => {
    fc.assert(
      fc.property(sw8Context, (ctx) => {
        expect(
          joinSw8(
            encodeSw8SegmentPart(ctx.sample, ctx.traceId, ctx.parentSegmentId),
            ctx.parentSpanId,
            encodeSw8Name(ctx.parentService),
            encodeSw8Name(ctx.parentServiceInstance),
            encodeSw8Name(ctx.parentEndpoint),
            encodeSw8Name(ctx.addressUsedAtClient),
          ),
        ).toBe(encodeSw8(ctx));
      }),
      { numRuns: 1000 },
    );
  });
});

describe('sw8, against the previous codec', () => {
  // Ids and names that repeat mixed with arbitrary ones.
  const repeating = (values: string[], other: fc.Arbitrary<string>) =>
    fc.oneof(fc.constantFrom(...values), other);
  const names = Array.from({ length: 80 }, (_, i) => `name-${i}`);
  const ids = ['t1', 's1', '\u00e9t\u00e9', 'x'.repeat(30)];
  const mixedContext: fc.Arbitrary<Sw8Context> = fc.record({
    sample: fc.boolean(),
    traceId: repeating(ids, fc.string({ unit: 'binary', minLength: 1, maxLength: 40 })),
    parentSegmentId: repeating(ids, fc.string({ unit: 'binary', minLength: 1, maxLength: 40 })),
    parentSpanId: fc.integer({ min: 0, max: 0x7fffffff }),
    parentService: repeating(names, sw8Field),
    parentServiceInstance: repeating(names, sw8Field),
    parentEndpoint: repeating(names, fc.string({ unit: 'binary', maxLength: 300 })),
    addressUsedAtClient: repeating(names, sw8Field),
  });

  it('encodes the same value for any sequence of contexts', () => {
    fc.assert(
      fc.property(fc.array(mixedContext, { minLength: 1, maxLength: 20 }), (contexts) => {
        for (const ctx of contexts) expect(encodeSw8(ctx)).toBe(referenceEncodeSw8(ctx));
      }),
      { numRuns: 500 },
    );
  });

  it('decodes the same context, or refuses the same value, on 10,000 random and mutated values', () => {
    const headers = fc.oneof(
      randomHeaderValue,
      mutated(mixedContext.map(referenceEncodeSw8)),
      mixedContext.map(referenceEncodeSw8),
    );
    fc.assert(
      fc.property(headers, (header) => {
        expect(decodeSw8(header)).toEqual(referenceDecodeSw8(header));
      }),
      { numRuns: 10_000 },
    );
  });
});

describe('sw8, the paths an agent takes (per-segment part, own ids, continued traces, repeating callers)', () => {
  /** Ids shaped like an agent's: a fixed prefix (sometimes not ASCII) and a counter that gains digits. */
  const agentIds = fc
    .tuple(
      fc.oneof(
        fc.constant('3f9a0c1d2b4e5f60.mwxg85nj.'),
        fc.string({ unit: 'grapheme', minLength: 8, maxLength: 30 }),
        fc.string({ unit: 'binary', minLength: 8, maxLength: 30 }),
      ),
      fc.integer({ min: 0, max: 36 ** 5 }),
      fc.integer({ min: 1, max: 60 }),
      fc.integer({ min: 1, max: 40_000 }),
    )
    .map(([prefix, first, count, step]) =>
      Array.from({ length: count }, (_, i) => prefix + (first + i * step).toString(36)),
    );

  it('encodes exactly as the previous codec for ids sharing a prefix, as their counter grows', () => {
    fc.assert(
      fc.property(agentIds, fc.boolean(), (ids, splitCalls) => {
        for (let i = 0; i < ids.length; i++) {
          const ctx: Sw8Context = { ...example, traceId: ids[i >> 1]!, parentSegmentId: ids[i]! };
          const encoded = splitCalls
            ? encodeSw8WithSegmentPart(
                encodeSw8SegmentPart(ctx.sample, ctx.traceId, ctx.parentSegmentId),
                ctx.parentSpanId,
                ctx.parentService,
                ctx.parentServiceInstance,
                ctx.parentEndpoint,
                ctx.addressUsedAtClient,
              )
            : encodeSw8(ctx);
          expect(encoded).toBe(referenceEncodeSw8(ctx));
        }
      }),
      { numRuns: 500 },
    );
  });

  it('encodeSw8WithSegmentPart(encodeSw8SegmentPart(...)) is encodeSw8 for any context', () => {
    fc.assert(
      fc.property(sw8Context, (ctx) => {
        const part = encodeSw8SegmentPart(ctx.sample, ctx.traceId, ctx.parentSegmentId);
        expect(
          encodeSw8WithSegmentPart(
            part,
            ctx.parentSpanId,
            ctx.parentService,
            ctx.parentServiceInstance,
            ctx.parentEndpoint,
            ctx.addressUsedAtClient,
          ),
        ).toBe(referenceEncodeSw8(ctx));
      }),
      { numRuns: 1000 },
    );
  });

  /**
   * The same trace id as it may arrive: canonical, without padding, or with the low bits a decoder drops set
   * (all decode to the same id, only the first may be sent on as it came).
   */
  function spellings(id: string): string[] {
    const canonical = Buffer.from(id).toString('base64');
    const unpadded = canonical.replace(/=+$/, '');
    const result = [canonical, unpadded];
    const pad = canonical.length - unpadded.length;
    if (pad > 0) {
      const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
      const last = ALPHABET.indexOf(unpadded[unpadded.length - 1]!);
      const stray = ALPHABET[last | (pad === 1 ? 1 : 4)]!;
      result.push(unpadded.slice(0, -1) + stray + '='.repeat(pad), unpadded.slice(0, -1) + stray);
    }
    return result;
  }

  it('sends a continued trace id exactly as the previous codec would, however it arrived', () => {
    const traceIds = fc.oneof(
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }),
      fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 40 }),
    );
    const steps = fc.array(fc.tuple(traceIds, fc.nat(3), agentIds), {
      minLength: 1,
      maxLength: 20,
    });
    fc.assert(
      fc.property(steps, (sequence) => {
        for (const [traceId, spelling, ownIds] of sequence) {
          const forms = spellings(traceId);
          const incoming = `1-${forms[spelling % forms.length]!}-czE-3-c3Zj-aW5zdA-ZW5kcG9pbnQ-cGVlcg==`;
          const decoded = decodeSw8(incoming);
          expect(decoded).toEqual(referenceDecodeSw8(incoming));
          if (decoded === undefined) continue;
          for (const segmentId of ownIds.slice(0, 3)) {
            const ctx: Sw8Context = {
              ...example,
              traceId: decoded.traceId,
              parentSegmentId: segmentId,
            };
            expect(encodeSw8(ctx)).toBe(referenceEncodeSw8(ctx));
            expect(
              encodeSw8WithSegmentPart(
                encodeSw8SegmentPart(true, decoded.traceId, segmentId),
                1,
                'svc',
                'inst',
                '/',
                'peer:80',
              ),
            ).toBe(
              referenceEncodeSw8({
                ...ctx,
                parentSpanId: 1,
                parentService: 'svc',
                parentServiceInstance: 'inst',
                parentEndpoint: '/',
                addressUsedAtClient: 'peer:80',
              }),
            );
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('decodes as the previous codec when a few callers repeat, mutated or not', () => {
    const callers = Array.from({ length: 12 }, (_, i) => ({
      parentService: `svc-${i % 3}`,
      parentServiceInstance: `inst-${i % 2}@10.0.0.${i}`,
      parentEndpoint: ['GET:/a', 'POST:/b/\u00e9', ''][i % 3]!,
      addressUsedAtClient: `peer-${i % 4}:80${i}`,
    }));
    const valid = fc
      .tuple(fc.constantFrom(...callers), sw8Context)
      .map(([caller, ctx]) => referenceEncodeSw8({ ...ctx, ...caller }));
    const headers = fc.array(fc.oneof(valid, mutated(valid)), { minLength: 1, maxLength: 30 });
    fc.assert(
      fc.property(headers, (sequence) => {
        for (const header of sequence)
          expect(decodeSw8(header)).toEqual(referenceDecodeSw8(header));
      }),
      { numRuns: 500 },
    );
  });
});
