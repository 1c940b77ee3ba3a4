// Reads the settings table (settings.ts): options first, then `SW_*` variables, then defaults. Every problem is
// collected before one ConfigError is thrown, so a user fixes all of them in one go.
import { accessSync, constants, statSync } from 'node:fs';
import type { Parsed } from './parse.js';
import { type AgentConfig, type AgentOptions } from './options.js';
import { SETTINGS, type Setting } from './settings.js';

export {
  LOG_LEVELS,
  type AgentConfig,
  type AgentOptions,
  type DiagnosticLevel,
} from './options.js';
export { PLUGIN_NAMES, SETTINGS } from './settings.js';

export interface ConfigProblem {
  /** The option name, and the environment variable when the value came from one. */
  name: string;
  value: string;
  expected: string;
}

/** Bad configuration: every problem at once, each with its name, the value given and the accepted form. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(
      `windsock: invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((p) => `  - ${p.name} = ${p.value}: expected ${p.expected}`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}

const OPTION_KEYS = new Set<string>([...SETTINGS.map((s) => s.key), 'diagnostics']);

/** Options win over environment variables, which win over defaults. Throws a ConfigError listing every problem. */
export function resolveConfig(
  options: AgentOptions = {},
  env: NodeJS.ProcessEnv = process.env,
): AgentConfig {
  const problems: ConfigProblem[] = [];
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new ConfigError([{ name: 'options', value: show(options), expected: 'an object' }]);
  }
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.has(key))
      problems.push({
        name: key,
        value: show((options as Record<string, unknown>)[key]),
        expected: 'no such option (check the spelling)',
      });
  }
  const config: Record<string, unknown> = {};
  // Where each value came from, so a problem between two settings names the variables a user actually set.
  const fromEnvironment = new Map<string, string>();
  const sourceOf = (key: keyof AgentConfig): string => {
    const variable = fromEnvironment.get(key);
    return variable === undefined ? key : `${variable} (${key})`;
  };
  for (const s of SETTINGS) {
    const fromOption = (options as Record<string, unknown>)[s.key];
    const variable = fromOption === undefined ? variableSet(s, env) : undefined;
    const raw = fromOption !== undefined ? fromOption : variable?.value;
    if (raw === undefined) {
      config[s.key] = s.fallback();
      continue;
    }
    if (variable !== undefined) fromEnvironment.set(s.key, variable.name);
    const parsed = (s.parse as (raw: unknown) => Parsed<unknown>)(raw);
    if (parsed.ok) {
      config[s.key] = parsed.value;
    } else {
      const name = variable === undefined ? s.key : `${variable.name} (${s.key})`;
      problems.push({ name, value: show(raw), expected: s.form });
      config[s.key] = s.fallback();
    }
  }
  if (options.diagnostics !== undefined && typeof options.diagnostics !== 'function') {
    problems.push({
      name: 'diagnostics',
      value: show(options.diagnostics),
      expected: 'a function (line: string) => void',
    });
  }
  const resolved = config as unknown as AgentConfig;
  if ((resolved.tlsCertPath === undefined) !== (resolved.tlsKeyPath === undefined)) {
    problems.push({
      name: `${sourceOf('tlsCertPath')}/${sourceOf('tlsKeyPath')}`,
      value: `${show(resolved.tlsCertPath)}/${show(resolved.tlsKeyPath)}`,
      expected: 'both set (mTLS) or neither',
    });
  }
  // Certificate files are read when the transport is built; a path that cannot be read is reported here, under the
  // name the user set, with the other problems.
  for (const key of ['tlsCaPath', 'tlsCertPath', 'tlsKeyPath'] as const) {
    const path = resolved[key];
    if (path === undefined) continue;
    const unreadable = unreadableReason(path);
    if (unreadable !== undefined)
      problems.push({
        name: sourceOf(key),
        value: show(path),
        expected: `a readable file (${unreadable})`,
      });
  }
  if (resolved.probeMinDelayMs > resolved.probeMaxDelayMs) {
    problems.push({
      name: sourceOf('probeMinDelayMs'),
      value: String(resolved.probeMinDelayMs),
      expected: `at most probeMaxDelayMs (${resolved.probeMaxDelayMs})`,
    });
  }
  if (resolved.retryInitialDelayMs > resolved.retryMaxDelayMs) {
    problems.push({
      name: sourceOf('retryInitialDelayMs'),
      value: String(resolved.retryInitialDelayMs),
      expected: `at most retryMaxDelayMs (${resolved.retryMaxDelayMs})`,
    });
  }
  if (problems.length > 0) throw new ConfigError(problems);
  if (resolved.tlsCaPath !== undefined || resolved.tlsCertPath !== undefined)
    resolved.secure = true;
  return resolved;
}

/** The first of a setting's variables (its own, then its aliases) that is set and not empty. */
function variableSet(
  s: { env: string | undefined; aliases?: readonly string[] },
  env: NodeJS.ProcessEnv,
): { name: string; value: string } | undefined {
  for (const name of [...(s.env === undefined ? [] : [s.env]), ...(s.aliases ?? [])]) {
    const value = env[name];
    if (value !== undefined && value !== '') return { name, value };
  }
  return undefined;
}

/** Why `path` cannot be read as a file (an error code such as ENOENT, or "a directory"), or undefined. */
function unreadableReason(path: string): string | undefined {
  try {
    accessSync(path, constants.R_OK);
    return statSync(path).isDirectory() ? 'a directory' : undefined;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? String(error);
  }
}

function show(value: unknown): string {
  if (typeof value === 'string')
    return JSON.stringify(value.length > 200 ? `${value.slice(0, 200)}…` : value);
  if (typeof value === 'function') return 'a function';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** The README's configuration table, generated from SETTINGS. */
export function configurationTable(): string {
  const rows = SETTINGS.map((s: Setting<keyof AgentConfig>) => {
    const variables = [
      ...(s.env === undefined ? [] : [`\`${s.env}\``]),
      ...(s.aliases ?? []).map((alias) => `\`${alias}\` (alias)`),
    ];
    return `| \`${s.key}\` | ${variables.join('<br>')} | ${s.shownDefault} | ${s.form} | ${s.meaning} |`;
  });
  return [
    '| option | environment variable | default | accepted | meaning |',
    '|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}
