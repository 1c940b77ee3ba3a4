import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mutated, randomHeaderValue } from '../../test/header-fuzz.js';
import { decodeSw8, encodeSw8, type Sw8Context } from './sw8.js';
import { referenceDecodeSw8, referenceEncodeSw8 } from '../../test/reference-sw8.js';

const field = fc.string({ unit: 'grapheme', maxLength: 40 });
const context: fc.Arbitrary<Sw8Context> = fc.record({
  sample: fc.boolean(),
  traceId: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }),
  parentSegmentId: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }),
  parentSpanId: fc.integer({ min: 0, max: 0x7fffffff }),
  parentService: field,
  parentServiceInstance: field,
  parentEndpoint: field,
  addressUsedAtClient: field,
});

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
      fc.property(context, (ctx) => {
        expect(decodeSw8(encodeSw8(ctx))).toEqual(ctx);
      }),
      { numRuns: 1000 },
    );
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
    const headers = fc.oneof(randomHeaderValue, mutated(context.map(encodeSw8)));
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

describe('sw8, against the previous codec', () => {
  // Ids and names that repeat (so the memos hit, miss and collide) mixed with arbitrary ones.
  const repeating = (values: string[], other: fc.Arbitrary<string>) =>
    fc.oneof(fc.constantFrom(...values), other);
  const names = Array.from({ length: 80 }, (_, i) => `name-${i}`);
  const ids = ['t1', 's1', '\u00e9t\u00e9', 'x'.repeat(30)];
  const mixedContext: fc.Arbitrary<Sw8Context> = fc.record({
    sample: fc.boolean(),
    traceId: repeating(ids, fc.string({ unit: 'binary', minLength: 1, maxLength: 40 })),
    parentSegmentId: repeating(ids, fc.string({ unit: 'binary', minLength: 1, maxLength: 40 })),
    parentSpanId: fc.integer({ min: 0, max: 0x7fffffff }),
    parentService: repeating(names, field),
    parentServiceInstance: repeating(names, field),
    parentEndpoint: repeating(names, fc.string({ unit: 'binary', maxLength: 300 })),
    addressUsedAtClient: repeating(names, field),
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
