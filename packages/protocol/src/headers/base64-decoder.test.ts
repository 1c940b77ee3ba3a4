import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBase64Slice } from './base64.js';
import { Base64Decoder } from './base64-decoder.js';

const base64Like = fc.oneof(
  fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes).toString('base64')),
  fc
    .uint8Array({ maxLength: 64 })
    .map((bytes) => Buffer.from(bytes).toString('base64').replace(/=+$/, '')),
  fc.string({ maxLength: 40 }).map((text) => Buffer.from(text, 'utf8').toString('base64')),
  fc.string({
    unit: fc.constantFrom(
      'A',
      'Q',
      'z',
      '0',
      '+',
      '/',
      '=',
      '-',
      ' ',
      '\n',
      '!',
      '\u00e9',
      '\u0141',
    ),
    maxLength: 20,
  }),
);

describe('Base64Decoder', () => {
  it('decodes and refuses exactly what decodeBase64Slice (atob) does, at any position', () => {
    const decoder = new Base64Decoder();
    fc.assert(
      fc.property(base64Like, fc.string({ maxLength: 3 }), (encoded, around) => {
        const source = around + encoded + around;
        const start = around.length;
        const end = start + encoded.length;
        expect(decoder.decodeSlice(source, start, end)).toBe(decodeBase64Slice(source, start, end));
      }),
      { numRuns: 5000 },
    );
  });

  it('decodes UTF-8 text, and invalid UTF-8 to U+FFFD', () => {
    const decoder = new Base64Decoder();
    const text = 'caf\u00e9 \u20ac \ud83d\ude00';
    const encoded = Buffer.from(text, 'utf8').toString('base64');
    expect(decoder.decodeSlice(`-${encoded}-`, 1, encoded.length + 1)).toBe(text);
    expect(decoder.decodeSlice(Buffer.from([0x61, 0xff]).toString('base64'), 0, 4)).toBe('a\ufffd');
    expect(decoder.decodeSlice('', 0, 0)).toBe('');
    expect(decoder.decodeSlice('YWJj', 0, 4)).toBe('abc');
    expect(decoder.decodeSlice('YWI', 0, 3)).toBe('ab');
    expect(decoder.decodeSlice('YWI=', 0, 4)).toBe('ab');
    expect(decoder.decodeSlice('YW=', 0, 3)).toBeUndefined();
    expect(decoder.decodeSlice('YWJ j', 0, 5)).toBeUndefined();
  });

  it('decodes a slice longer than its scratch', () => {
    const text = 'x'.repeat(5000);
    const encoded = Buffer.from(text).toString('base64');
    expect(new Base64Decoder().decodeSlice(encoded, 0, encoded.length)).toBe(text);
  });

  it('gives each result from its own input, whatever was decoded before', () => {
    fc.assert(
      fc.property(fc.array(base64Like, { minLength: 1, maxLength: 8 }), (values) => {
        const decoder = new Base64Decoder();
        const results = values.map((value) => decoder.decodeSlice(value, 0, value.length));
        const fresh = values.map((value) =>
          new Base64Decoder().decodeSlice(value, 0, value.length),
        );
        expect(results).toEqual(fresh);
      }),
      { numRuns: 1000 },
    );
  });
});
