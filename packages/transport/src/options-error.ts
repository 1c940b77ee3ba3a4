/** One bad option: its name, the value given and the accepted form (the shape windsock's ConfigError lists). */
export interface OptionProblem {
  name: string;
  value: string;
  expected: string;
}

/** Bad options: every problem at once, so that a caller fixes all of them in one go. */
export class OptionsError extends TypeError {
  constructor(readonly problems: readonly OptionProblem[]) {
    super(
      `windsock transport: invalid options (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((p) => `  - ${p.name} = ${p.value}: expected ${p.expected}`).join('\n'),
    );
    this.name = 'OptionsError';
  }
}

/** A value as a problem shows it. */
export function shown(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
