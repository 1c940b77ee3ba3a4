import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  canonicalBase64,
  decodeBase64Slice,
  encodeBase64,
  isBase64,
  isCanonicalBase64,
} from './base64.js';
import { referenceDecodeBase64Slice } from '../../test/reference-sw8.js';
/** Any UTF-16 units, lone surrogates included (they become U+FFFD in UTF-8). */
const utf16 = (maxLength: number) =>
  fc.string({
    unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
    maxLength,
  });
const text = fc.oneof(
  utf16(64),
  fc.string({ unit: 'grapheme', maxLength: 64 }),
  fc.string({ unit: 'binary', maxLength: 64 }),
  fc.string({ maxLength: 64 }),
  // Long texts, in several scripts.
  fc
    .tuple(
      fc.integer({ min: 1000, max: 1100 }),
      fc.constantFrom('a', '\u00e9', '\u20ac', '\ud83d\ude00', '\ud800'),
    )
    .map(([length, unit]) => unit.repeat(length)),
);
const base64Like = fc.oneof(
  fc.uint8Array({ maxLength: 48 }).map((bytes) => Buffer.from(bytes).toString('base64')),
  fc
    .uint8Array({ maxLength: 48 })
    .map((bytes) => Buffer.from(bytes).toString('base64').replace(/=+$/, '')),
  fc.string({
    unit: fc.constantFrom('A', 'Q', 'z', '0', '+', '/', '=', '-', '!', '\u00e9'),
    maxLength: 20,
  }),
);

describe('base64 of UTF-8 text', () => {
  it('decodes what it encodes, at any position in a longer value', () => {
    fc.assert(
      fc.property(text, (value) => {
        const encoded = encodeBase64(value);
        // Lone surrogates do not survive UTF-8, as with Buffer.
        const expected = Buffer.from(value, 'utf8').toString('utf8');
        expect(decodeBase64Slice(`-${encoded}-`, 1, encoded.length + 1)).toBe(expected);
      }),
      { numRuns: 2000 },
    );
  });

  it('decodes exactly as the previous Buffer-based decoder, refusing the same values', () => {
    fc.assert(
      fc.property(base64Like, fc.string({ maxLength: 3 }), (encoded, around) => {
        const source = around + encoded + around;
        const start = around.length;
        const end = start + encoded.length;
        expect(decodeBase64Slice(source, start, end)).toBe(
          referenceDecodeBase64Slice(source, start, end),
        );
      }),
      { numRuns: 5000 },
    );
  });

  it('refuses characters that only look like base64 to a table read (code units above 0x7f)', () => {
    // 0x141 & 0x7f is 'A', 0x12b & 0x7f is '+': a decoder that masked instead of range-checking would take them.
    const lookalikes = fc.string({
      unit: fc.constantFrom(
        'A',
        'Q',
        'z',
        '0',
        '+',
        '/',
        '=',
        '\u0141',
        '\u012b',
        '\u00c1',
        '\uffff',
      ),
      minLength: 1,
      maxLength: 24,
    });
    fc.assert(
      fc.property(lookalikes, (encoded) => {
        expect(decodeBase64Slice(encoded, 0, encoded.length)).toBe(
          referenceDecodeBase64Slice(encoded, 0, encoded.length),
        );
      }),
      { numRuns: 5000 },
    );
  });

  it('tells the spelling encoding gives from the other spellings of the same bytes', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 40 }),
        fc.string({ maxLength: 3 }),
        (bytes, around) => {
          const canonical = Buffer.from(bytes).toString('base64');
          const at = (field: string) =>
            [`${around}${field}${around}`, around.length, around.length + field.length] as const;
          expect(isCanonicalBase64(...at(canonical))).toBe(true);
          expect(canonicalBase64(...at(canonical))).toBe(canonical);
          const unpadded = canonical.replace(/=+$/, '');
          if (unpadded === canonical) return;
          // Without its padding, or with a bit set beyond its last byte: the same bytes, another spelling.
          const last = unpadded.length - 1;
          const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
          const stray =
            unpadded.slice(0, last) +
            ALPHABET[ALPHABET.indexOf(unpadded[last]!) | 1] +
            canonical.slice(last + 1);
          for (const other of [unpadded, stray]) {
            expect(isCanonicalBase64(...at(other))).toBe(false);
            expect(canonicalBase64(...at(other))).toBe(canonical);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('decodes invalid UTF-8 to U+FFFD', () => {
    expect(decodeBase64Slice(Buffer.from([0x61, 0xff]).toString('base64'), 0, 4)).toBe('a\ufffd');
    expect(decodeBase64Slice('xxYWJjxx', 2, 6)).toBe('abc');
    expect(decodeBase64Slice('w6!', 0, 3)).toBeUndefined();
  });

  it('gives the same result in any call order, and accepts exactly what it decodes', () => {
    fc.assert(
      fc.property(fc.array(base64Like, { minLength: 1, maxLength: 8 }), (values) => {
        // Interleaved calls on different values: each result depends on its own input only.
        const once = values.map((value) => decodeBase64Slice(value, 0, value.length));
        const reversed = [...values]
          .reverse()
          .map((value) => decodeBase64Slice(value, 0, value.length))
          .reverse();
        expect(reversed).toEqual(once);
        values.forEach((value, i) =>
          expect(isBase64(value, 0, value.length)).toBe(once[i] !== undefined),
        );
      }),
      { numRuns: 2000 },
    );
  });
});
