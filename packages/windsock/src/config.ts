// Reads the settings table (settings.ts) with @windsock/options's reader (options first, then `SW_*` variables, then
// defaults) and adds the rules between settings. Every problem is collected before one ConfigError is thrown, so a
// user fixes all of them in one go.
import {
  OptionChecks,
  OptionsError,
  readSettings,
  shown,
  type OptionProblem,
} from '@windsock/options';
import { type AgentConfig, type AgentOptions } from './options.js';
import { SETTINGS, type Setting } from './settings.js';

export {
  LOG_LEVELS,
  type AgentConfig,
  type AgentOptions,
  type DiagnosticLevel,
} from './options.js';
export { PLUGIN_NAMES, SETTINGS } from './settings.js';

/** One bad setting; its name is the option's, with the environment variable when the value came from one. */
export type ConfigProblem = OptionProblem;

/** Bad configuration: the OptionsError every windsock package throws, headed as the agent's configuration. */
export class ConfigError extends OptionsError {
  constructor(problems: readonly ConfigProblem[]) {
    super(problems, 'windsock: invalid configuration');
    this.name = 'ConfigError';
  }
}

const OPTION_KEYS = new Set<string>([...SETTINGS.map((s) => s.key), 'diagnostics']);

/** Options win over environment variables, which win over defaults. Throws a ConfigError listing every problem. */
export function resolveConfig(
  options: AgentOptions = {},
  env: NodeJS.ProcessEnv = process.env,
): AgentConfig {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new ConfigError([{ name: 'options', value: shown(options), expected: 'an object' }]);
  }
  const check = new OptionChecks();
  check.onlyKeys(options, OPTION_KEYS);
  const settings = readSettings(SETTINGS, options as Record<string, unknown>, env, check);
  const sourceOf = settings.sourceOf;
  if (options.diagnostics !== undefined && typeof options.diagnostics !== 'function') {
    check.add('diagnostics', options.diagnostics, 'a function (line: string) => void');
  }
  const resolved = settings.values as AgentConfig;
  if ((resolved.tlsCertPath === undefined) !== (resolved.tlsKeyPath === undefined)) {
    check.addAll([
      {
        name: `${sourceOf('tlsCertPath')}/${sourceOf('tlsKeyPath')}`,
        value: `${shown(resolved.tlsCertPath)}/${shown(resolved.tlsKeyPath)}`,
        expected: 'both set (mTLS) or neither',
      },
    ]);
  }
  // Certificate files are read when the transport is built; a path that cannot be read is reported here, under the
  // name the user set, with the other problems.
  for (const key of ['tlsCaPath', 'tlsCertPath', 'tlsKeyPath'] as const) {
    const path = resolved[key];
    if (path !== undefined) check.readableFile(sourceOf(key), path);
  }
  const { probeMinDelayMs, probeMaxDelayMs, retryInitialDelayMs, retryMaxDelayMs } = resolved;
  check.atMost(sourceOf('probeMinDelayMs'), probeMinDelayMs, 'probeMaxDelayMs', probeMaxDelayMs);
  check.atMost(
    sourceOf('retryInitialDelayMs'),
    retryInitialDelayMs,
    'retryMaxDelayMs',
    retryMaxDelayMs,
  );
  if (check.problems.length > 0) throw new ConfigError(check.problems);
  if (resolved.tlsCaPath !== undefined || resolved.tlsCertPath !== undefined)
    resolved.secure = true;
  return resolved;
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
