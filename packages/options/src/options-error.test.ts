import { describe, expect, it } from 'vitest';
import { OptionsError } from './options-error.js';
import { shown } from './shown.js';

describe('OptionsError', () => {
  it('lists every problem under its heading, and counts them', () => {
    const error = new OptionsError(
      [
        { name: 'maxItems', value: '0', expected: 'an integer ≥ 1' },
        {
          name: 'overflow',
          value: '"drop-random"',
          expected: 'one of "drop-oldest", "drop-newest"',
        },
      ],
      'windsock queue: invalid options',
    );
    expect(error.message).toBe(
      'windsock queue: invalid options (2 problems):\n' +
        '  - maxItems = 0: expected an integer ≥ 1\n' +
        '  - overflow = "drop-random": expected one of "drop-oldest", "drop-newest"',
    );
    expect(error.problems).toHaveLength(2);
  });

  it('is a TypeError named OptionsError, with a singular count for one problem', () => {
    const error = new OptionsError([{ name: 'now', value: '5', expected: 'a function' }]);
    expect(error).toBeInstanceOf(TypeError);
    expect(error.name).toBe('OptionsError');
    expect(error.message).toBe(
      'windsock: invalid options (1 problem):\n  - now = 5: expected a function',
    );
  });

  it('keeps its subclasses instances of it, with their own name and heading', () => {
    class ConfigError extends OptionsError {
      constructor(problems: OptionsError['problems']) {
        super(problems, 'windsock: invalid configuration');
        this.name = 'ConfigError';
      }
    }
    const error = new ConfigError([{ name: 'a', value: '1', expected: 'b' }]);
    expect(error).toBeInstanceOf(OptionsError);
    expect(String(error)).toMatch(/^ConfigError: windsock: invalid configuration \(1 problem\)/);
  });
});

describe('shown', () => {
  it('quotes strings, so that blanks are visible, and cuts long ones', () => {
    expect(shown(' ')).toBe('" "');
    expect(shown('x'.repeat(300))).toBe(`"${'x'.repeat(200)}…"`);
  });

  it('writes numbers, objects and arrays as JSON, functions by kind, and the rest as String does', () => {
    expect(shown(-1)).toBe('-1');
    expect(shown(Number.NaN)).toBe('NaN');
    expect(shown(Number.POSITIVE_INFINITY)).toBe('Infinity');
    expect(shown({ a: [1] })).toBe('{"a":[1]}');
    expect(shown(() => 1)).toBe('a function');
    expect(shown(undefined)).toBe('undefined');
    expect(shown(Symbol('s'))).toBe('Symbol(s)');
    expect(shown(10n)).toBe('10');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(shown(cyclic)).toBe('[object Object]');
  });
});
