const MAX_SHOWN_STRING = 200;

/**
 * A value as a problem shows it: JSON where it can (strings quoted, so that `""` and `" "` are told apart), long
 * strings cut, numbers as written (JSON would turn NaN into null), and a function by what it is, not its source.
 */
export function shown(value: unknown): string {
  if (typeof value === 'string') {
    return JSON.stringify(
      value.length > MAX_SHOWN_STRING ? `${value.slice(0, MAX_SHOWN_STRING)}…` : value,
    );
  }
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'function') return 'a function';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
