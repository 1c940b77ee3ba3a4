import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mutated, randomHeaderValue } from '../../test/header-fuzz.js';
import { type Sw8XContext, decodeSw8X, encodeSw8X } from './sw8-x.js';

const context: fc.Arbitrary<Sw8XContext> = fc.record(
  {
    skipAnalysis: fc.boolean(),
    clientSendTimestamp: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
  },
  { requiredKeys: ['skipAnalysis'] },
);

describe('sw8-x', () => {
  it('writes the Java agent form: mode, dash, optional timestamp', () => {
    expect(encodeSw8X({ skipAnalysis: false })).toBe('0-');
    expect(encodeSw8X({ skipAnalysis: true, clientSendTimestamp: 1_700_000_000_000 })).toBe(
      '1-1700000000000',
    );
    expect(encodeSw8X({ skipAnalysis: false, clientSendTimestamp: 1.5 })).toBe('0-');
  });

  it('round-trips', () => {
    fc.assert(
      fc.property(context, (ctx) => {
        expect(decodeSw8X(encodeSw8X(ctx))).toEqual(ctx);
      }),
      { numRuns: 1000 },
    );
  });

  it('reads what it understands and ignores the rest, as the header is extensible', () => {
    expect(decodeSw8X('1')).toEqual({ skipAnalysis: true });
    expect(decodeSw8X('0')).toEqual({ skipAnalysis: false });
    expect(decodeSw8X('7-12')).toEqual({ skipAnalysis: false, clientSendTimestamp: 12 });
    expect(decodeSw8X('1-12-future-fields')).toEqual({
      skipAnalysis: true,
      clientSendTimestamp: 12,
    });
    expect(decodeSw8X('1-12.5')).toEqual({ skipAnalysis: true });
    expect(decodeSw8X('1--5')).toEqual({ skipAnalysis: true });
    expect(decodeSw8X('11-5')).toEqual({ skipAnalysis: false, clientSendTimestamp: 5 });
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['over 2 KB', '1-' + '9'.repeat(2047)],
  ])('returns undefined for %s', (_name, header) => {
    expect(decodeSw8X(header)).toBeUndefined();
  });

  it('never throws on 10,000 random and mutated values', () => {
    fc.assert(
      fc.property(fc.oneof(randomHeaderValue, mutated(context.map(encodeSw8X))), (header) => {
        const decoded = decodeSw8X(header);
        if (decoded?.clientSendTimestamp !== undefined) {
          expect(Number.isSafeInteger(decoded.clientSendTimestamp)).toBe(true);
        }
      }),
      { numRuns: 10_000 },
    );
  });
});
