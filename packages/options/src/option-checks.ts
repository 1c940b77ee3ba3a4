// Checkers record a problem instead of throwing, so that one OptionsError can list every problem at once. Each takes
// the option's name first, then the value given; each answers whether the value passed.
import { accessSync, constants, statSync } from 'node:fs';
import { type OptionProblem, OptionsError } from './options-error.js';
import { shown } from './shown.js';

/** The longest delay `setTimeout` honours: it turns anything longer into 1 ms, a "very long" wait into none. */
export const MAX_TIMER_DELAY_MS = 2_147_483_647;

/** Bounds of a number: inclusive `min`/`max`, exclusive `above`/`below`. */
export interface NumberBounds {
  min?: number;
  max?: number;
  above?: number;
  below?: number;
}

export class OptionChecks {
  private readonly found: OptionProblem[] = [];

  /** The problems recorded so far, in the order they were found. */
  get problems(): readonly OptionProblem[] {
    return this.found;
  }

  /** Records a problem that no checker below describes. */
  add(name: string, value: unknown, expected: string): void {
    this.found.push({ name, value: shown(value), expected });
  }

  /** Records problems found elsewhere (by another package's checks) after these. */
  addAll(problems: readonly OptionProblem[]): void {
    this.found.push(...problems);
  }

  /** Every key of `options` is one of `known`; each other key is a problem, most likely a misspelt option. */
  onlyKeys(options: object, known: ReadonlySet<string>): boolean {
    let passed = true;
    for (const [key, value] of Object.entries(options)) {
      if (known.has(key)) continue;
      this.add(key, value, 'no such option (check the spelling)');
      passed = false;
    }
    return passed;
  }

  function(name: string, value: unknown): value is (...args: never[]) => unknown {
    if (typeof value === 'function') return true;
    this.add(name, value, 'a function');
    return false;
  }

  /** A string with something other than blanks in it. */
  text(name: string, value: unknown): value is string {
    if (typeof value === 'string' && value.trim() !== '') return true;
    this.add(name, value, 'a non-empty string');
    return false;
  }

  /** A finite number within `bounds`. */
  number(name: string, value: unknown, bounds: NumberBounds = {}): value is number {
    if (typeof value === 'number' && Number.isFinite(value) && within(value, bounds)) return true;
    this.add(name, value, describe('a finite number', bounds));
    return false;
  }

  /** A whole number within `bounds`. */
  integer(name: string, value: unknown, bounds: NumberBounds = {}): value is number {
    if (Number.isInteger(value) && within(value as number, bounds)) return true;
    this.add(name, value, describe('an integer', bounds));
    return false;
  }

  /** A delay a timer can wait: above 0 (or 0 with `allowZero`) and at most `MAX_TIMER_DELAY_MS`. */
  delayMs(name: string, value: unknown, { allowZero = false } = {}): value is number {
    const bounds: NumberBounds = allowZero
      ? { min: 0, max: MAX_TIMER_DELAY_MS }
      : { above: 0, max: MAX_TIMER_DELAY_MS };
    if (typeof value === 'number' && Number.isFinite(value) && within(value, bounds)) return true;
    this.add(name, value, describe('a number of ms', bounds));
    return false;
  }

  oneOf<T extends string>(name: string, value: unknown, allowed: readonly T[]): value is T {
    if ((allowed as readonly unknown[]).includes(value)) return true;
    this.add(name, value, `one of ${allowed.map((a) => shown(a)).join(', ')}`);
    return false;
  }

  /** A path this process can read as a file; if not, the expected form says why (an error code, or a directory). */
  readableFile(name: string, path: string): boolean {
    const reason = unreadableReason(path);
    if (reason === undefined) return true;
    this.add(name, path, `a readable file (${reason})`);
    return false;
  }

  /** `value` no greater than another option's: a minimum above its maximum is a problem of the minimum. */
  atMost(name: string, value: number, limitName: string, limit: number): boolean {
    if (value <= limit) return true;
    this.add(name, value, `at most ${limitName} (${limit})`);
    return false;
  }

  /** `value` no less than another option's: a maximum below its minimum is a problem of the maximum. */
  atLeast(name: string, value: number, limitName: string, limit: number): boolean {
    if (value >= limit) return true;
    this.add(name, value, `at least ${limitName} (${limit})`);
    return false;
  }

  /** Throws one OptionsError listing every problem recorded, if there is any. */
  throwIfAny(heading: string): void {
    if (this.found.length > 0) throw new OptionsError([...this.found], heading);
  }
}

function unreadableReason(path: string): string | undefined {
  try {
    accessSync(path, constants.R_OK);
    return statSync(path).isDirectory() ? 'a directory' : undefined;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? String(error);
  }
}

function within(value: number, { min, max, above, below }: NumberBounds): boolean {
  return (
    (min === undefined || value >= min) &&
    (max === undefined || value <= max) &&
    (above === undefined || value > above) &&
    (below === undefined || value < below)
  );
}

function describe(what: string, { min, max, above, below }: NumberBounds): string {
  const limits = [
    min === undefined ? undefined : `≥ ${min}`,
    above === undefined ? undefined : `> ${above}`,
    max === undefined ? undefined : `≤ ${max}`,
    below === undefined ? undefined : `< ${below}`,
  ].filter((limit) => limit !== undefined);
  return limits.length === 0 ? what : `${what} ${limits.join(' and ')}`;
}
