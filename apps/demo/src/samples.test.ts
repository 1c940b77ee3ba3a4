import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { History } from './samples.js';

describe('History', () => {
  it('keeps exactly the newest `capacity` items, oldest first', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.array(fc.integer(), { maxLength: 80 }),
        (capacity, items) => {
          const history = new History<number>(capacity);
          for (const item of items) history.push(item);
          const expected = items.slice(-capacity);
          expect(history.toArray()).toEqual(expected);
          expect(history.size).toBe(expected.length);
          expect(history.latest()).toBe(expected.at(-1));
        },
      ),
    );
  });

  it('refuses a capacity that cannot hold anything', () => {
    expect(() => new History(0)).toThrow(RangeError);
  });
});
