// The demo's settings: command-line flags win over DEMO_* environment variables, which win over defaults. The
// agent's own settings stay SW_* variables (passed through to the services); the demo only fills in livelier
// defaults for those left unset, so the story of an outage plays out in seconds instead of minutes.

export interface DemoOptions {
  host: string;
  /** Dashboard HTTP port (0: a free one). */
  dashboardPort: number;
  /** Embedded collector's gRPC port. */
  collectorPort: number;
  /** Embedded collector's control API port. */
  controlPort: number;
  frontendPort: number;
  inventoryPort: number;
  /** Requests per second the load generator sends to the frontend. */
  rate: number;
  /** How often the dashboard gets a new sample, in ms. */
  tickMs: number;
  /** `host:port` list of a real OAP (or another collector): the embedded collector is then not started. */
  externalCollector: string | undefined;
  /** SW_* settings handed to both services; the process environment's SW_* values win over these. */
  agentEnv: Record<string, string>;
  /** Restart the services when the built agent (dist folders) changes. */
  watch: boolean;
  /** Start with the demo's injected errors on (inventory fails a few stock lookups on purpose). */
  injectErrors: boolean;
}

export class UsageError extends Error {
  override name = 'UsageError';
}

/** Lively defaults for the agent inside the demo; each is overridden by the same SW_* variable when set. */
export const DEMO_AGENT_DEFAULTS: Readonly<Record<string, string>> = {
  SW_AGENT_LINGER: '500ms',
  SW_AGENT_METER_INTERVAL: '5s',
  SW_AGENT_HEARTBEAT_INTERVAL: '5s',
  SW_AGENT_REPORT_TIMEOUT: '3s',
  SW_AGENT_BREAKER_PROBE_MIN_DELAY: '1s',
  SW_AGENT_BREAKER_PROBE_MAX_DELAY: '5s',
  // Small enough that a minute of outage at the default rate overflows it: the drops become visible.
  SW_AGENT_MAX_BUFFER_BYTES: '256kb',
};

interface Setting {
  flag: string;
  env: string;
  key: keyof DemoOptions;
  kind: 'port' | 'rate' | 'ms' | 'string';
  help: string;
}

const SETTINGS: readonly Setting[] = [
  {
    flag: '--host',
    env: 'DEMO_HOST',
    key: 'host',
    kind: 'string',
    help: 'interface for every server',
  },
  { flag: '--port', env: 'DEMO_PORT', key: 'dashboardPort', kind: 'port', help: 'dashboard port' },
  {
    flag: '--collector-port',
    env: 'DEMO_COLLECTOR_PORT',
    key: 'collectorPort',
    kind: 'port',
    help: 'embedded collector gRPC port',
  },
  {
    flag: '--control-port',
    env: 'DEMO_CONTROL_PORT',
    key: 'controlPort',
    kind: 'port',
    help: 'embedded collector control API port',
  },
  {
    flag: '--frontend-port',
    env: 'DEMO_FRONTEND_PORT',
    key: 'frontendPort',
    kind: 'port',
    help: 'frontend service port',
  },
  {
    flag: '--inventory-port',
    env: 'DEMO_INVENTORY_PORT',
    key: 'inventoryPort',
    kind: 'port',
    help: 'inventory service port',
  },
  {
    flag: '--rate',
    env: 'DEMO_RATE',
    key: 'rate',
    kind: 'rate',
    help: 'load, requests per second',
  },
  {
    flag: '--tick',
    env: 'DEMO_TICK',
    key: 'tickMs',
    kind: 'ms',
    help: 'dashboard sample period, ms',
  },
];

export const DEFAULTS: Omit<DemoOptions, 'externalCollector' | 'agentEnv'> = {
  host: '127.0.0.1',
  dashboardPort: 3000,
  collectorPort: 11800,
  controlPort: 12800,
  frontendPort: 3001,
  inventoryPort: 3002,
  rate: 20,
  tickMs: 1000,
  watch: true,
  injectErrors: true,
};

export const MAX_RATE = 2000;

export function usage(): string {
  const lines = SETTINGS.map((s) => {
    const fallback = String(DEFAULTS[s.key as keyof typeof DEFAULTS]);
    return `  ${`${s.flag} <value>`.padEnd(26)} ${s.env.padEnd(20)} ${s.help} (default ${fallback})`;
  });
  return [
    'windsock demo: two instrumented services, load, an embedded collector and a live dashboard',
    '',
    'usage: pnpm dev   |   node --import tsx src/main.ts [options]',
    '',
    ...lines,
    `  ${'--no-watch'.padEnd(26)} ${'DEMO_WATCH=0'.padEnd(20)} do not restart the services when the agent is rebuilt`,
    `  ${'--no-errors'.padEnd(26)} ${'DEMO_ERRORS=0'.padEnd(20)} start with the injected errors off (stock lookups inventory fails on purpose)`,
    '',
    'SW_AGENT_COLLECTOR_BACKEND_SERVICES=host:11800 reports to that backend instead of the embedded collector.',
    'Any other SW_* variable is handed to both services (see packages/windsock/README.md).',
  ].join('\n');
}

/** Reads flags and environment; throws UsageError with a one-line reason when something is off. */
export function resolveOptions(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): DemoOptions {
  const raw = new Map<keyof DemoOptions, { value: string; from: string }>();
  for (const setting of SETTINGS) {
    const value = env[setting.env];
    if (value !== undefined && value !== '') raw.set(setting.key, { value, from: setting.env });
  }
  let watch = env.DEMO_WATCH !== '0' && env.DEMO_WATCH !== 'false';
  let injectErrors = env.DEMO_ERRORS !== '0' && env.DEMO_ERRORS !== 'false';
  // `pnpm dev -- --port 4000` hands the `--` on (pnpm 12): a leading one is the caller's separator, not a flag.
  for (let i = argv[0] === '--' ? 1 : 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--no-watch') {
      watch = false;
      continue;
    }
    if (arg === '--no-errors') {
      injectErrors = false;
      continue;
    }
    const [flag, inline] = arg.includes('=') ? arg.split(/=(.*)/s, 2) : [arg, undefined];
    const setting = SETTINGS.find((s) => s.flag === flag);
    if (setting === undefined) throw new UsageError(`unknown option ${arg} (try --help)`);
    const value = inline ?? argv[++i];
    if (value === undefined) throw new UsageError(`${flag} needs a value`);
    raw.set(setting.key, { value, from: setting.flag });
  }

  const options: DemoOptions = {
    ...DEFAULTS,
    watch,
    injectErrors,
    externalCollector: nonEmpty(env.SW_AGENT_COLLECTOR_BACKEND_SERVICES),
    agentEnv: agentEnvironment(env),
  };
  for (const setting of SETTINGS) {
    const given = raw.get(setting.key);
    if (given === undefined) continue;
    (options as unknown as Record<string, unknown>)[setting.key] = parseValue(setting, given);
  }
  return options;
}

function parseValue(setting: Setting, { value, from }: { value: string; from: string }): unknown {
  if (setting.kind === 'string') return value;
  const number = Number(value);
  const bad = (accepted: string) => new UsageError(`${from}=${value}: expected ${accepted}`);
  switch (setting.kind) {
    case 'port':
      if (!Number.isInteger(number) || number < 0 || number > 65_535)
        throw bad('a port from 0 to 65535 (0: a free port)');
      return number;
    case 'rate':
      if (!Number.isFinite(number) || number < 0 || number > MAX_RATE)
        throw bad(`requests per second from 0 to ${MAX_RATE}`);
      return number;
    case 'ms':
      if (!Number.isInteger(number) || number < 50 || number > 60_000)
        throw bad('milliseconds from 50 to 60000');
      return number;
  }
}

/** The demo's lively agent defaults, overridden by whatever SW_* the user set. */
export function agentEnvironment(
  env: Readonly<Record<string, string | undefined>>,
): Record<string, string> {
  const result: Record<string, string> = { ...DEMO_AGENT_DEFAULTS };
  for (const [name, value] of Object.entries(env)) {
    if (name.startsWith('SW_') && value !== undefined) result[name] = value;
  }
  return result;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}
