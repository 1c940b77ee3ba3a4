import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MAX_SCRATCH_TEXT_LENGTH,
  decodeBase64Into,
  decodeBase64Slice,
  encodeBase64,
  encodeShortAscii,
  lastDecodedWasAscii,
  lastDecodedWasCanonical,
  MAX_SHORT_ASCII_LENGTH,
  writeBase64,
} from './base64.js';
import { Base64DecodeMemo, Base64EncodeMemo } from './base64-memo.js';
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
  // Around the length where encoding switches from the scratch arrays to Buffer.
  fc
    .tuple(
      fc.integer({ min: -3, max: 3 }),
      fc.constantFrom('a', '\u00e9', '\u20ac', '\ud83d\ude00', '\ud800'),
    )
    .map(([delta, unit]) =>
      unit.repeat(Math.ceil((MAX_SCRATCH_TEXT_LENGTH + delta) / unit.length)),
    ),
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
  it('encodes exactly as Buffer does, lone surrogates and long texts included', () => {
    fc.assert(
      fc.property(text, (value) => {
        expect(encodeBase64(value)).toBe(Buffer.from(value, 'utf8').toString('base64'));
      }),
      { numRuns: 5000 },
    );
  });

  it('writes at any offset without touching what is before it', () => {
    fc.assert(
      fc.property(utf16(40), fc.nat(16), (value, offset) => {
        const target = Buffer.alloc(offset + 4 * 40 + 4, 0x2a);
        const end = writeBase64(value, target, offset);
        expect(target.toString('latin1', offset, end)).toBe(Buffer.from(value).toString('base64'));
        expect(target.subarray(0, offset).every((byte) => byte === 0x2a)).toBe(true);
      }),
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

  it('says a decoded slice is canonical exactly when encoding its bytes gives the slice back', () => {
    const target = new Uint8Array(64);
    fc.assert(
      fc.property(base64Like, (encoded) => {
        const end = decodeBase64Into(encoded, 0, encoded.length, target, 0);
        if (end < 0) return;
        const again = Buffer.from(target.subarray(0, end)).toString('base64');
        expect(lastDecodedWasCanonical()).toBe(again === encoded);
      }),
      { numRuns: 5000 },
    );
    expect(decodeBase64Into('QQ==', 0, 4, target, 0)).toBe(1);
    expect(lastDecodedWasCanonical()).toBe(true);
    expect(decodeBase64Into('QR==', 0, 4, target, 0)).toBe(1);
    expect(lastDecodedWasCanonical()).toBe(false);
    expect(decodeBase64Into('QQ', 0, 2, target, 0)).toBe(1);
    expect(lastDecodedWasCanonical()).toBe(false);
  });

  it('encodes a text from any index, as Buffer does for the rest of it', () => {
    fc.assert(
      fc.property(utf16(40), fc.nat(45), (value, from) => {
        const target = Buffer.alloc(4 * 40 + 4);
        const end = writeBase64(value, target, 0, from);
        // Starting inside a surrogate pair splits it: the rest begins with a lone low surrogate, as a slice does.
        expect(target.toString('latin1', 0, end)).toBe(
          Buffer.from(value.slice(from)).toString('base64'),
        );
      }),
      { numRuns: 2000 },
    );
  });

  it('encodes 1 to 6 ASCII characters in one string, and declines anything else', () => {
    fc.assert(
      fc.property(utf16(10), fc.nat(10), (value, from) => {
        const rest = value.slice(from);
        const short = encodeShortAscii(value, from);
        const ascii = [...rest].every((unit) => unit.charCodeAt(0) < 0x80);
        if (rest.length >= 1 && rest.length <= MAX_SHORT_ASCII_LENGTH && ascii) {
          expect(short).toBe(Buffer.from(rest).toString('base64'));
        } else {
          expect(short).toBeUndefined();
        }
      }),
      { numRuns: 5000 },
    );
    for (const rest of ['a', 'ab', 'abc', 'abcd', 'abcde', 'abcdef', '\u0000\u007f']) {
      expect(encodeShortAscii(`prefix${rest}`, 6)).toBe(Buffer.from(rest).toString('base64'));
    }
  });

  it('decodes invalid UTF-8 to U+FFFD and reports whether the bytes were ASCII', () => {
    expect(decodeBase64Slice(Buffer.from([0x61, 0xff]).toString('base64'), 0, 4)).toBe('a\ufffd');
    const target = new Uint8Array(8);
    expect(decodeBase64Into('YWJj', 0, 4, target, 2)).toBe(5);
    expect([...target.subarray(2, 5)]).toEqual([0x61, 0x62, 0x63]);
    expect(lastDecodedWasAscii()).toBe(true);
    expect(decodeBase64Into('w6k', 0, 3, target, 0)).toBe(2);
    expect(lastDecodedWasAscii()).toBe(false);
    expect(decodeBase64Into('w6!', 0, 3, target, 0)).toBe(-1);
  });
});

describe('base64 memos', () => {
  it('encode as encodeBase64 does, through repeats and slot collisions', () => {
    const memo = new Base64EncodeMemo();
    // 200 distinct values in a 64-slot memo: values evict each other and come back.
    const values = fc.array(
      fc.oneof(fc.constantFrom(...Array.from({ length: 200 }, (_, i) => `svc-${i}`)), text),
      {
        minLength: 1,
        maxLength: 300,
      },
    );
    fc.assert(
      fc.property(values, (sequence) => {
        for (const value of sequence) {
          expect(memo.encode(value)).toBe(Buffer.from(value).toString('base64'));
        }
      }),
      { numRuns: 200 },
    );
  });

  it('decode as decodeBase64Slice does, for the same text at other positions and in other values', () => {
    const memo = new Base64DecodeMemo();
    const pool = Array.from({ length: 150 }, (_, i) => Buffer.from(`name-${i}`).toString('base64'));
    const slices = fc.array(
      fc.tuple(fc.oneof(fc.constantFrom(...pool), base64Like), fc.string({ maxLength: 4 })),
      { minLength: 1, maxLength: 300 },
    );
    fc.assert(
      fc.property(slices, (sequence) => {
        for (const [encoded, before] of sequence) {
          const source = `${before}${encoded}-tail`;
          const start = before.length;
          const end = start + encoded.length;
          expect(memo.decode(source, start, end)).toBe(decodeBase64Slice(source, start, end));
        }
      }),
      { numRuns: 200 },
    );
  });

  it('does not memoize values longer than 256 characters, and still decodes them', () => {
    const memo = new Base64DecodeMemo();
    const long = Buffer.from('x'.repeat(300)).toString('base64');
    expect(memo.decode(long, 0, long.length)).toBe('x'.repeat(300));
    expect(memo.decode(long, 0, long.length)).toBe('x'.repeat(300));
    expect(new Base64EncodeMemo().encode('y'.repeat(300))).toBe(
      Buffer.from('y'.repeat(300)).toString('base64'),
    );
  });
});
