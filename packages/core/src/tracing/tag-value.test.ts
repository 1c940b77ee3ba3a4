import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringifyValue, truncate } from './tag-value.js';

describe('stringifyValue', () => {
  it('stringifies every kind of value without throwing', () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    const hostile = {
      toJSON() {
        throw new Error('no');
      },
    };
    expect(stringifyValue('s')).toBe('s');
    expect(stringifyValue(42)).toBe('42');
    expect(stringifyValue(10n)).toBe('10');
    expect(stringifyValue(false)).toBe('false');
    expect(stringifyValue(null)).toBe('null');
    expect(stringifyValue(undefined)).toBe('undefined');
    expect(stringifyValue(Symbol('x'))).toBe('Symbol(x)');
    expect(stringifyValue(function named() {})).toBe('[function named]');
    expect(stringifyValue(new TypeError('bad'))).toBe('TypeError: bad');
    expect(stringifyValue({ a: [1] })).toBe('{"a":[1]}');
    expect(stringifyValue(circular)).toBe('[unserializable]');
    expect(stringifyValue(hostile)).toBe('[unserializable]');
  });

  it('returns a string for any input (property)', () => {
    fc.assert(fc.property(fc.anything(), (value) => typeof stringifyValue(value) === 'string'));
  });
});

describe('truncate', () => {
  it('never splits a surrogate pair', () => {
    expect(truncate('ab😀cd', 3)).toBe('ab');
    expect(truncate('ab😀cd', 4)).toBe('ab😀');
  });

  it('never exceeds the limit and keeps a prefix (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.integer({ min: 1, max: 50 }), (text, max) => {
        const cut = truncate(text, max);
        expect(cut.length).toBeLessThanOrEqual(max);
        expect(text.startsWith(cut)).toBe(true);
        expect(cut.length).toBeGreaterThanOrEqual(Math.min(text.length, max) - 1);
      }),
    );
  });
});
