// Reads a declarative settings table: a value given in code wins over an environment variable (the setting's own,
// then its aliases), which wins over the default. A value that does not parse is a problem under the name the user
// set, and the setting keeps its default meanwhile, so that one pass finds every problem.
import type { OptionChecks } from './option-checks.js';
import type { Parsed } from './parse.js';

/** One row of a settings table, as the reader needs it. */
export interface SettingSpec<K extends string = string> {
  key: K;
  /** The setting's environment variable, if it has one. */
  env: string | undefined;
  /** Other variables read when `env` is unset, in order (the names other agents give the same setting). */
  aliases?: readonly string[];
  /** The accepted form, as a problem states it. */
  form: string;
  /** Parses a value given in code or the text of a variable. */
  parse: (raw: unknown) => Parsed<unknown>;
  fallback: () => unknown;
}

export interface SettingsRead<K extends string> {
  values: Record<K, unknown>;
  /** The name a problem of `key` goes under: `VARIABLE (key)` when a variable set it, else `key`. */
  sourceOf: (key: K) => string;
}

/** Every setting's value, from `options`, then `env`, then its fallback; each bad value is a problem of `check`. */
export function readSettings<K extends string>(
  settings: readonly SettingSpec<K>[],
  options: Readonly<Record<string, unknown>>,
  env: NodeJS.ProcessEnv,
  check: OptionChecks,
): SettingsRead<K> {
  const values = {} as Record<K, unknown>;
  const fromEnvironment = new Map<K, string>();
  const sourceOf = (key: K): string => {
    const variable = fromEnvironment.get(key);
    return variable === undefined ? key : `${variable} (${key})`;
  };
  for (const setting of settings) {
    const fromOption = options[setting.key];
    const variable = fromOption === undefined ? variableSet(setting, env) : undefined;
    const raw = fromOption !== undefined ? fromOption : variable?.value;
    if (variable !== undefined) fromEnvironment.set(setting.key, variable.name);
    const parsed = raw === undefined ? undefined : setting.parse(raw);
    if (parsed?.ok === true) {
      values[setting.key] = parsed.value;
    } else {
      if (parsed !== undefined) check.add(sourceOf(setting.key), raw, setting.form);
      values[setting.key] = setting.fallback();
    }
  }
  return { values, sourceOf };
}

/** The first of a setting's variables (its own, then its aliases) that is set and not empty. */
function variableSet(
  setting: SettingSpec,
  env: NodeJS.ProcessEnv,
): { name: string; value: string } | undefined {
  for (const name of [
    ...(setting.env === undefined ? [] : [setting.env]),
    ...(setting.aliases ?? []),
  ]) {
    const value = env[name];
    if (value !== undefined && value !== '') return { name, value };
  }
  return undefined;
}
