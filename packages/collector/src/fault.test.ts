import { status } from '@grpc/grpc-js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyCallFault, fault, parseFault, parseServiceNames } from './fault.js';

describe('parseFault', () => {
  it('accepts every fault the helpers build', () => {
    const all = [
      fault.up(),
      fault.refuse(),
      fault.blackhole(),
      fault.flap(100),
      fault.delay(0),
      fault.fail(status.UNAVAILABLE, { ratio: 0.25, pushbackMs: 10, message: 'm' }),
      fault.reset(3),
      fault.auth('t'),
      fault.auth(undefined),
    ];
    for (const f of all) expect(parseFault(f)).toEqual(f);
  });

  it('reads status names and drops unknown fields', () => {
    expect(parseFault({ type: 'fail', code: 'DEADLINE_EXCEEDED', extra: 1 })).toEqual({
      type: 'fail',
      code: status.DEADLINE_EXCEEDED,
    });
    expect(parseFault({ type: 'auth', token: null })).toEqual({ type: 'auth', token: undefined });
  });

  it.each([
    [null, /JSON object/],
    [{ type: 'melt' }, /fault.type/],
    [{ type: 'fail', code: 0 }, /error status/],
    [{ type: 'fail', code: 'OK' }, /error status/],
    [{ type: 'fail', code: 17 }, /error status/],
    [{ type: 'fail', code: 14, ratio: 1.5 }, /between 0 and 1/],
    [{ type: 'delay', ms: -5 }, /non-negative/],
    [{ type: 'delay' }, /non-negative/],
    [{ type: 'flap', periodMs: 0 }, /positive/],
    [{ type: 'reset', afterMessages: 1.5 }, /integer/],
    [{ type: 'auth', token: 5 }, /string/],
  ])('rejects %j', (input, message) => {
    expect(() => parseFault(input)).toThrow(message);
  });

  it('never throws anything but a TypeError on arbitrary JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        try {
          parseFault(value);
        } catch (error) {
          expect(error).toBeInstanceOf(TypeError);
        }
      }),
    );
  });
});

describe('parseServiceNames', () => {
  it('passes known names and rejects others', () => {
    expect(parseServiceNames(undefined)).toBeUndefined();
    expect(parseServiceNames(['EventService'])).toEqual(['EventService']);
    expect(() => parseServiceNames(['Nope'])).toThrow(/unknown service/);
    expect(() => parseServiceNames('EventService')).toThrow(/array/);
  });
});

describe('applyCallFault', () => {
  it('combines delay, fail and reset', () => {
    let faults = applyCallFault({}, { type: 'delay', ms: 5 });
    faults = applyCallFault(faults, { type: 'fail', code: status.INTERNAL });
    faults = applyCallFault(faults, { type: 'reset', afterMessages: 2 });
    expect(faults).toEqual({
      delayMs: 5,
      fail: { code: status.INTERNAL, ratio: 1 },
      resetAfterMessages: 2,
    });
  });

  it('up clears every fault but keeps the token', () => {
    const faults = { delayMs: 5, resetAfterMessages: 1, token: 't' };
    expect(applyCallFault(faults, { type: 'up' })).toEqual({ token: 't' });
    expect(applyCallFault({ delayMs: 1 }, { type: 'up' })).toEqual({});
  });

  it('auth(undefined) removes the token only', () => {
    expect(applyCallFault({ token: 't', delayMs: 1 }, { type: 'auth', token: undefined })).toEqual({
      delayMs: 1,
    });
  });
});
