import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MAX_TIMER_DELAY_MS, OptionChecks } from './option-checks.js';
import { OptionsError } from './options-error.js';

/** The problems one checker call records: [] when the value passes. */
function problemsOf(run: (check: OptionChecks) => boolean): string[] {
  const check = new OptionChecks();
  const passed = run(check);
  expect(passed).toBe(check.problems.length === 0);
  return check.problems.map((p) => `${p.name} = ${p.value}: expected ${p.expected}`);
}

describe('OptionChecks', () => {
  it('function: accepts functions only', () => {
    expect(problemsOf((c) => c.function('now', () => 1))).toEqual([]);
    expect(problemsOf((c) => c.function('now', 5))).toEqual(['now = 5: expected a function']);
  });

  it('text: accepts strings with something besides blanks', () => {
    expect(problemsOf((c) => c.text('service', 'checkout'))).toEqual([]);
    expect(problemsOf((c) => c.text('service', '  '))).toEqual([
      'service = "  ": expected a non-empty string',
    ]);
    expect(problemsOf((c) => c.text('service', 1))).toHaveLength(1);
  });

  it('number: finite, within inclusive and exclusive bounds, which the expected form names', () => {
    expect(problemsOf((c) => c.number('rate', 0.5, { min: 0, max: 1 }))).toEqual([]);
    expect(problemsOf((c) => c.number('rate', 0, { min: 0, max: 1 }))).toEqual([]);
    expect(problemsOf((c) => c.number('ratio', 1, { above: 0, below: 1 }))).toEqual([
      'ratio = 1: expected a finite number > 0 and < 1',
    ]);
    expect(problemsOf((c) => c.number('bytes', Number.POSITIVE_INFINITY))).toEqual([
      'bytes = Infinity: expected a finite number',
    ]);
    expect(problemsOf((c) => c.number('bytes', '5', { min: 0 }))).toEqual([
      'bytes = "5": expected a finite number ≥ 0',
    ]);
    expect(problemsOf((c) => c.number('bytes', Number.NaN, { max: 3 }))).toHaveLength(1);
  });

  it('integer: whole numbers within bounds', () => {
    expect(problemsOf((c) => c.integer('maxItems', 3, { min: 1 }))).toEqual([]);
    expect(problemsOf((c) => c.integer('maxItems', 1.5, { min: 1 }))).toEqual([
      'maxItems = 1.5: expected an integer ≥ 1',
    ]);
    expect(problemsOf((c) => c.integer('maxItems', 0, { min: 1, max: 9 }))).toEqual([
      'maxItems = 0: expected an integer ≥ 1 and ≤ 9',
    ]);
    expect(problemsOf((c) => c.integer('maxItems', Number.POSITIVE_INFINITY))).toHaveLength(1);
  });

  it('delayMs: what a timer can wait, zero only when allowed', () => {
    expect(problemsOf((c) => c.delayMs('timeoutMs', MAX_TIMER_DELAY_MS))).toEqual([]);
    expect(problemsOf((c) => c.delayMs('timeoutMs', 0))).toEqual([
      'timeoutMs = 0: expected a number of ms > 0 and ≤ 2147483647',
    ]);
    expect(problemsOf((c) => c.delayMs('lingerMs', 0, { allowZero: true }))).toEqual([]);
    expect(problemsOf((c) => c.delayMs('lingerMs', -1, { allowZero: true }))).toEqual([
      'lingerMs = -1: expected a number of ms ≥ 0 and ≤ 2147483647',
    ]);
    expect(problemsOf((c) => c.delayMs('timeoutMs', 2 ** 31))).toHaveLength(1);
  });

  it('oneOf: exactly one of the allowed strings', () => {
    const overflows = ['drop-oldest', 'drop-newest'] as const;
    expect(problemsOf((c) => c.oneOf('overflow', 'drop-newest', overflows))).toEqual([]);
    expect(problemsOf((c) => c.oneOf('overflow', 'DROP-NEWEST', overflows))).toEqual([
      'overflow = "DROP-NEWEST": expected one of "drop-oldest", "drop-newest"',
    ]);
  });

  it('readableFile: a file this process can read, or why not', () => {
    const here = fileURLToPath(import.meta.url);
    expect(problemsOf((c) => c.readableFile('tlsCaPath', here))).toEqual([]);
    expect(problemsOf((c) => c.readableFile('tlsCaPath', dirname(here)))).toEqual([
      `tlsCaPath = ${JSON.stringify(dirname(here))}: expected a readable file (a directory)`,
    ]);
    expect(problemsOf((c) => c.readableFile('tlsCaPath', '/nonexistent/ca.pem'))).toEqual([
      'tlsCaPath = "/nonexistent/ca.pem": expected a readable file (ENOENT)',
    ]);
  });

  it('atMost and atLeast: blame the option on the wrong side of the other', () => {
    expect(problemsOf((c) => c.atMost('minMs', 5, 'maxMs', 5))).toEqual([]);
    expect(problemsOf((c) => c.atMost('minMs', 6, 'maxMs', 5))).toEqual([
      'minMs = 6: expected at most maxMs (5)',
    ]);
    expect(problemsOf((c) => c.atLeast('maxMs', 4, 'minMs', 5))).toEqual([
      'maxMs = 4: expected at least minMs (5)',
    ]);
  });

  it('onlyKeys: every other key is a problem, named as given', () => {
    const known = new Set(['service', 'collector']);
    expect(problemsOf((c) => c.onlyKeys({ service: 'a' }, known))).toEqual([]);
    expect(problemsOf((c) => c.onlyKeys({ servce: 'a', colector: 1 }, known))).toEqual([
      'servce = "a": expected no such option (check the spelling)',
      'colector = 1: expected no such option (check the spelling)',
    ]);
  });

  it('add and addAll: any other problem, kept in order', () => {
    const check = new OptionChecks();
    check.add('certPath/keyPath', 'a', 'both or neither');
    check.addAll([{ name: 'backends', value: '""', expected: '"host:port"' }]);
    expect(check.problems.map((p) => p.name)).toEqual(['certPath/keyPath', 'backends']);
  });
});

describe('OptionChecks.throwIfAny', () => {
  it('does nothing while no problem was found', () => {
    const check = new OptionChecks();
    check.integer('maxItems', 1, { min: 1 });
    expect(() => check.throwIfAny('windsock queue: invalid options')).not.toThrow();
  });

  it('throws one OptionsError listing every problem, in the order found', () => {
    const check = new OptionChecks();
    check.integer('maxItems', 0, { min: 1 });
    check.number('maxBytes', -5, { above: 0 });
    check.oneOf('overflow', 'drop-random', ['drop-oldest', 'drop-newest']);
    let thrown: unknown;
    try {
      check.throwIfAny('windsock queue: invalid options');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(OptionsError);
    expect((thrown as OptionsError).message).toBe(
      'windsock queue: invalid options (3 problems):\n' +
        '  - maxItems = 0: expected an integer ≥ 1\n' +
        '  - maxBytes = -5: expected a finite number > 0\n' +
        '  - overflow = "drop-random": expected one of "drop-oldest", "drop-newest"',
    );
    expect((thrown as OptionsError).problems.map((p) => p.name)).toEqual([
      'maxItems',
      'maxBytes',
      'overflow',
    ]);
  });
});
