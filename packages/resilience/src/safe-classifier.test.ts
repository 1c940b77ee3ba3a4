import { describe, expect, it } from 'vitest';
import { SafeClassifier } from './safe-classifier.js';

const throws = (): never => {
  throw new Error('bug in a predicate');
};

describe('SafeClassifier', () => {
  it("answers with the caller's predicates while they work", () => {
    const classifier = new SafeClassifier<number>({
      isFailure: (n) => n > 0,
      isRetryable: (n) => n === 1,
      isRetryableError: (e) => e === 'transient',
      pushbackMs: (n) => n * 100,
    });
    expect([classifier.isFailure(0), classifier.isFailure(1)]).toEqual([false, true]);
    expect([classifier.isRetryable(1), classifier.isRetryable(2)]).toEqual([true, false]);
    expect(classifier.isRetryableError('transient')).toBe(true);
    expect(classifier.pushbackMs(3)).toBe(300);
  });

  it('a throwing predicate makes a failure that is not retried and has no pushback', () => {
    const classifier = new SafeClassifier<number>({
      isFailure: throws,
      isRetryable: throws,
      isRetryableError: throws,
      pushbackMs: throws,
    });
    expect(classifier.isFailure(0)).toBe(true);
    expect(classifier.isRetryable(0)).toBe(false);
    expect(classifier.isRetryableError(new Error('x'))).toBe(false);
    expect(classifier.pushbackMs(0)).toBeUndefined();
  });

  it('ignores a pushback that is not a finite, non-negative number', () => {
    for (const pushback of [-1, Number.NaN, Number.POSITIVE_INFINITY, undefined]) {
      const classifier = new SafeClassifier<number>({
        isFailure: () => true,
        isRetryable: () => true,
        isRetryableError: () => false,
        pushbackMs: () => pushback,
      });
      expect(classifier.pushbackMs(0)).toBeUndefined();
    }
  });
});
