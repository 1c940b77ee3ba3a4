// Random, mutated and well-formed header values for the sw8 property tests.
import fc from 'fast-check';
import { type Sw8Context } from '../src/headers/sw8.js';

/** Any name an `sw8` field can carry. */
export const sw8Field = fc.string({ unit: 'grapheme', maxLength: 40 });

/** Any context an `sw8` value can carry: names of any characters, ids of one or more. */
export const sw8Context: fc.Arbitrary<Sw8Context> = fc.record({
  sample: fc.boolean(),
  traceId: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }),
  parentSegmentId: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }),
  parentSpanId: fc.integer({ min: 0, max: 0x7fffffff }),
  parentService: sw8Field,
  parentServiceInstance: sw8Field,
  parentEndpoint: sw8Field,
  addressUsedAtClient: sw8Field,
});

/** Mutations a proxy, a buggy client or an attacker might apply to a valid header value. */
export function mutated(valid: fc.Arbitrary<string>): fc.Arbitrary<string> {
  const character = fc.constantFrom(
    '-',
    '=',
    ':',
    ',',
    '+',
    '/',
    ' ',
    'A',
    '0',
    '9',
    '\u00e9',
    '\ud800',
    '',
  );
  return fc
    .tuple(valid, fc.nat(), fc.nat(), character, fc.integer({ min: 0, max: 6 }))
    .map(([value, a, b, c, kind]) => {
      const i = value.length === 0 ? 0 : a % value.length;
      const j = value.length === 0 ? 0 : b % value.length;
      switch (kind) {
        case 0:
          return value.slice(0, i) + c + value.slice(i + 1); // replace one character
        case 1:
          return value.slice(0, i) + c + value.slice(i); // insert one
        case 2:
          return value.slice(0, i) + value.slice(i + 1); // delete one
        case 3:
          return value.slice(0, i); // truncate
        case 4:
          return value + value.slice(j); // duplicate a tail
        case 5:
          return value.slice(0, Math.min(i, j)) + value.slice(Math.max(i, j)); // cut a range
        default:
          return value.repeat(1 + (a % 40)); // oversize
      }
    });
}

/** Arbitrary strings in every shape: ASCII, full Unicode, lone surrogates, the header's own alphabet. */
export const randomHeaderValue: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 64 }),
  fc.string({ unit: 'binary', maxLength: 64 }),
  fc.string({ unit: fc.constantFrom('-', '0', '1', 'Q', 'U', '=', ':', ','), maxLength: 64 }),
  fc.string({ unit: 'grapheme-ascii', minLength: 2000, maxLength: 2100 }),
);
