import { status } from '@grpc/grpc-js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyFailure, parsePushback, STATUS_CLASSIFICATION } from './classification.js';

const codes = fc.integer({ min: 1, max: 16 });
const pushback = fc.option(fc.nat({ max: 60_000 }), { nil: undefined });

describe('classifyFailure', () => {
  it('never calls anything safe that may have reached the server, unless the server pushed back', () => {
    fc.assert(
      fc.property(codes, pushback, (code, pushbackMs) => {
        const advice = classifyFailure({ code, mayHaveReachedServer: true, pushbackMs });
        if (pushbackMs === undefined) expect(advice).not.toBe('safe');
      }),
    );
  });

  it('permanent codes are never retried, wherever the call got', () => {
    fc.assert(
      fc.property(codes, fc.boolean(), pushback, (code, reached, pushbackMs) => {
        if (STATUS_CLASSIFICATION[code as status] !== 'permanent') return;
        expect(classifyFailure({ code, mayHaveReachedServer: reached, pushbackMs })).toBe('never');
      }),
    );
  });

  it('transient codes that cannot have reached the server are safe', () => {
    for (const code of [
      status.UNAVAILABLE,
      status.DEADLINE_EXCEEDED,
      status.CANCELLED,
      status.ABORTED,
    ]) {
      expect(classifyFailure({ code, mayHaveReachedServer: false })).toBe('safe');
      expect(classifyFailure({ code, mayHaveReachedServer: true })).toBe('unsafe');
    }
  });

  it('RESOURCE_EXHAUSTED is retryable only with a pushback', () => {
    const code = status.RESOURCE_EXHAUSTED;
    expect(classifyFailure({ code, mayHaveReachedServer: true })).toBe('never');
    expect(classifyFailure({ code, mayHaveReachedServer: true, pushbackMs: 100 })).toBe('safe');
  });

  it('the table covers every status code and matches the published classes', () => {
    expect(Object.keys(STATUS_CLASSIFICATION)).toHaveLength(17);
    const retryable = Object.entries(STATUS_CLASSIFICATION)
      .filter(([, kind]) => kind === 'retryable')
      .map(([code]) => status[Number(code)]);
    expect(retryable.sort()).toEqual([
      'ABORTED',
      'CANCELLED',
      'DATA_LOSS',
      'DEADLINE_EXCEEDED',
      'OUT_OF_RANGE',
      'UNAVAILABLE',
    ]);
    expect(classifyFailure({ code: 99, mayHaveReachedServer: false })).toBe('never');
  });
});

describe('parsePushback', () => {
  it('reads non-negative integers and ignores anything else', () => {
    expect(parsePushback('1500')).toBe(1500);
    expect(parsePushback(Buffer.from('0'))).toBe(0);
    for (const bad of ['-1', '1.5', 'soon', '', '12345678901', undefined]) {
      expect(parsePushback(bad)).toBeUndefined();
    }
  });
});
