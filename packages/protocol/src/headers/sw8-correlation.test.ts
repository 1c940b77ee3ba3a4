import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mutated, randomHeaderValue } from '../../test/header-fuzz.js';
import {
  SW8_CORRELATION_MAX_KEYS,
  SW8_CORRELATION_MAX_VALUE_LENGTH,
  decodeSw8Correlation,
  encodeSw8Correlation,
} from './sw8-correlation.js';

const b64 = (text: string) => Buffer.from(text).toString('base64');

const withinLimits = fc.uniqueArray(
  fc.tuple(
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }),
    fc.string({ maxLength: SW8_CORRELATION_MAX_VALUE_LENGTH }),
  ),
  { minLength: 1, maxLength: SW8_CORRELATION_MAX_KEYS, selector: ([key]) => key },
);

describe('sw8-correlation', () => {
  it('encodes base64 key:value pairs joined by commas', () => {
    expect(encodeSw8Correlation({ user: 'alice', tier: 'gold' })).toBe(
      `${b64('user')}:${b64('alice')},${b64('tier')}:${b64('gold')}`,
    );
    expect(encodeSw8Correlation(new Map([['k', '']]))).toBe(`${b64('k')}:`);
  });

  it('round-trips entries within the limits, in order', () => {
    fc.assert(
      fc.property(withinLimits, (entries) => {
        expect([...(decodeSw8Correlation(encodeSw8Correlation(entries)) ?? [])]).toEqual(entries);
      }),
      { numRuns: 1000 },
    );
  });

  it('leaves out keys beyond the third, values over 128 characters and empty keys', () => {
    const long = 'v'.repeat(SW8_CORRELATION_MAX_VALUE_LENGTH + 1);
    const encoded = encodeSw8Correlation([
      ['', 'no key'],
      ['a', '1'],
      ['too-long', long],
      ['b', '2'],
      ['c', '3'],
      ['d', '4'],
      ['a', 'replaced'],
    ]);
    expect([...(decodeSw8Correlation(encoded) ?? [])]).toEqual([
      ['a', 'replaced'],
      ['b', '2'],
      ['c', '3'],
    ]);
    expect(encodeSw8Correlation({ x: long })).toBeUndefined();
    expect(encodeSw8Correlation({})).toBeUndefined();
  });

  it('applies the same limits when decoding what another agent sent', () => {
    const pairs = ['a', 'b', 'c', 'd'].map((k) => `${b64(k)}:${b64(k)}`);
    pairs.splice(1, 0, `${b64('long')}:${b64('x'.repeat(129))}`);
    expect([...(decodeSw8Correlation(pairs.join(',')) ?? [])]).toEqual([
      ['a', 'a'],
      ['b', 'b'],
      ['c', 'c'],
    ]);
  });

  it('skips malformed pairs and keeps the rest', () => {
    const good = `${b64('k')}:${b64('v')}`;
    expect([...(decodeSw8Correlation(`no-colon,${good},a:b:c,!!!:${b64('x')},,`) ?? [])]).toEqual([
      ['k', 'v'],
    ]);
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['only malformed pairs', 'abc,d:e:f'],
    ['over 2 KB', `${b64('k')}:${'QUFB'.repeat(520)}`],
  ])('returns undefined for %s', (_name, header) => {
    expect(decodeSw8Correlation(header)).toBeUndefined();
  });

  it('never throws on 10,000 random and mutated values, and never exceeds the limits', () => {
    const headers = fc.oneof(
      randomHeaderValue,
      mutated(withinLimits.map((entries) => encodeSw8Correlation(entries) ?? '')),
    );
    fc.assert(
      fc.property(headers, (header) => {
        const decoded = decodeSw8Correlation(header);
        if (decoded === undefined) return;
        expect(decoded.size).toBeLessThanOrEqual(SW8_CORRELATION_MAX_KEYS);
        for (const value of decoded.values()) {
          expect(value.length).toBeLessThanOrEqual(SW8_CORRELATION_MAX_VALUE_LENGTH);
        }
      }),
      { numRuns: 10_000 },
    );
  });
});
