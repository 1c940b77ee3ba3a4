import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OptionsError } from '@windsock/options';
import { RingBuffer } from './ring.js';

describe('RingBuffer', () => {
  it('keeps the newest `capacity` items in insertion order', () => {
    fc.assert(
      fc.property(fc.nat(20), fc.array(fc.integer(), { maxLength: 100 }), (capacity, items) => {
        const ring = new RingBuffer<number>(capacity);
        for (const item of items) ring.push(item);
        expect(ring.toArray()).toEqual(capacity === 0 ? [] : items.slice(-capacity));
        expect(ring.size).toBe(Math.min(capacity, items.length));
      }),
    );
  });

  it('returns the evicted item once full', () => {
    const ring = new RingBuffer<string>(2);
    expect(ring.push('a')).toBeUndefined();
    expect(ring.push('b')).toBeUndefined();
    expect(ring.push('c')).toBe('a');
    expect(ring.toArray()).toEqual(['b', 'c']);
  });

  it('is empty after clear and fills again', () => {
    const ring = new RingBuffer<number>(3);
    [1, 2, 3, 4].forEach((n) => ring.push(n));
    ring.clear();
    expect(ring.toArray()).toEqual([]);
    ring.push(5);
    expect(ring.toArray()).toEqual([5]);
  });

  it('rejects a negative or fractional capacity', () => {
    expect(() => new RingBuffer(-1)).toThrow(OptionsError);
    expect(() => new RingBuffer(1.5)).toThrow('capacity = 1.5: expected an integer ≥ 0');
  });
});
