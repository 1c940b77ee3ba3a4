/** One bad option: its name, the value given (as `shown` writes it) and the accepted form. */
export interface OptionProblem {
  name: string;
  value: string;
  expected: string;
}

/**
 * Bad options: every problem at once, so that a caller fixes all of them in one go. A `TypeError`, as Node's own
 * ERR_INVALID_ARG_VALUE is: one list mixes wrong types and out-of-range values, so no narrower base fits them all.
 */
export class OptionsError extends TypeError {
  /**
   * @param problems every problem found, in the order the options were read
   * @param heading who complains and about what, e.g. `windsock queue: invalid options`
   */
  constructor(
    readonly problems: readonly OptionProblem[],
    heading = 'windsock: invalid options',
  ) {
    super(
      `${heading} (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((p) => `  - ${p.name} = ${p.value}: expected ${p.expected}`).join('\n'),
    );
    this.name = 'OptionsError';
  }
}
