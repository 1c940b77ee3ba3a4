import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { relativeSpread, spread } from './stats.js';

describe('spread', () => {
  it('takes the middle value, or the mean of the two middle ones', () => {
    expect(spread([5, 1, 3])).toEqual({ median: 3, min: 1, max: 5 });
    expect(spread([4, 1, 3, 2])).toEqual({ median: 2.5, min: 1, max: 4 });
    expect(relativeSpread(spread([90, 100, 110]))).toBeCloseTo(0.1);
  });

  it('keeps the median between min and max, whatever the order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ noNaN: true, min: -1e9, max: 1e9 }), { minLength: 1 }),
        (values) => {
          // `===` rather than toBe: a sort may put 0 before -0, and the two are the same measurement.
          const { median, min, max } = spread(values);
          expect(min === Math.min(...values)).toBe(true);
          expect(max === Math.max(...values)).toBe(true);
          expect(median).toBeGreaterThanOrEqual(min);
          expect(median).toBeLessThanOrEqual(max);
          expect(spread([...values].reverse()).median === median).toBe(true);
        },
      ),
      { examples: [[[0, -0, 0]]] },
    );
  });
});
