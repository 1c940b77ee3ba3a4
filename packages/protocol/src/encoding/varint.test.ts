import { BinaryWriter } from '@bufbuild/protobuf/wire';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { varintSize, writeVarint } from './varint.js';

it('writes the same bytes as the protobuf runtime for every 32-bit length', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 0xffffffff }), (value) => {
      const expected = new BinaryWriter().uint32(value).finish();
      const target = new Uint8Array(8);
      const end = writeVarint(target, 0, value);
      expect(end).toBe(expected.byteLength);
      expect(varintSize(value)).toBe(expected.byteLength);
      expect(target.subarray(0, end)).toEqual(expected);
    }),
    { numRuns: 2000 },
  );
  for (const edge of [0, 0x7f, 0x80, 0x3fff, 0x4000, 0x1fffff, 0x200000, 0xfffffff, 0x10000000]) {
    expect(varintSize(edge)).toBe(new BinaryWriter().uint32(edge).finish().byteLength);
  }
});
