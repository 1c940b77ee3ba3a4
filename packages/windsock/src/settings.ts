// The agent's whole configuration in one declarative table: option name, environment variable, accepted form,
// default and meaning. `resolveConfig` (config.ts) reads it; the README's table is generated from (and tested
// against) it.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { DEFAULT_INSTRUMENTATION_SETTINGS, DEFAULT_MAX_ERROR_STACK_LENGTH } from '@windsock/core';
import { INSTRUMENTATIONS } from '@windsock/instrumentations';
import {
  parseAddresses,
  parseBoolean,
  parseBytes,
  parseDuration,
  parseEnum,
  parseList,
  parseNumber,
  parseString,
  type Parsed,
} from '@windsock/options';
import { LOG_LEVELS, type AgentConfig } from './options.js';

export interface Setting<K extends keyof AgentConfig> {
  key: K;
  env: string | undefined;
  /**
   * Other variables read when `env` is unset, in order: the names another SkyWalking agent gives the same setting,
   * so that an application moving over keeps its environment.
   */
  aliases?: readonly string[];
  /** Accepted form, as a user reads it in an error and in the README. */
  form: string;
  /** Default as shown in the README. */
  shownDefault: string;
  meaning: string;
  parse: (raw: unknown) => Parsed<AgentConfig[K]>;
  fallback: () => AgentConfig[K];
}

const setting = <K extends keyof AgentConfig>(s: Setting<K>): Setting<K> => s;
const optionalString = (raw: unknown): Parsed<string | undefined> => parseString(raw);
const HOUR = 3_600_000;

/** Known instrumentations, for `disablePlugins`: the registry's, and `http` for both of its sides. */
export const PLUGIN_NAMES: readonly string[] = ['http', ...INSTRUMENTATIONS.map((i) => i.name)];

export const SETTINGS = [
  setting({
    key: 'serviceName',
    env: 'SW_AGENT_NAME',
    form: 'a non-empty string',
    shownDefault: '`your-nodejs-service`',
    meaning: 'Service name shown in SkyWalking.',
    parse: parseString,
    fallback: () => 'your-nodejs-service',
  }),
  setting({
    key: 'serviceInstance',
    env: 'SW_AGENT_INSTANCE',
    form: 'a non-empty string',
    shownDefault: '`<uuid>@<hostname>`',
    meaning: 'Instance name of this process.',
    parse: parseString,
    fallback: () => `${randomUUID().replaceAll('-', '')}@${hostname()}`,
  }),
  setting({
    key: 'collector',
    env: 'SW_AGENT_COLLECTOR_BACKEND_SERVICES',
    form: 'host:port, comma-separated or an array',
    shownDefault: '`127.0.0.1:11800`',
    meaning: 'OAP gRPC addresses; failover, not fan-out.',
    parse: parseAddresses,
    fallback: () => ['127.0.0.1:11800'],
  }),
  setting({
    key: 'authentication',
    env: 'SW_AGENT_AUTHENTICATION',
    form: 'a non-empty string',
    shownDefault: 'none',
    meaning: 'Token sent as `authentication` metadata.',
    parse: optionalString,
    fallback: () => undefined,
  }),
  setting({
    key: 'secure',
    env: 'SW_AGENT_SECURE',
    form: 'true or false',
    shownDefault: '`false`',
    meaning: 'TLS to the backend (system roots unless a CA is given).',
    parse: parseBoolean,
    fallback: () => false,
  }),
  setting({
    key: 'tlsCaPath',
    env: 'SW_AGENT_TLS_CA_PATH',
    form: 'a file path',
    shownDefault: 'none',
    meaning: 'CA certificate (PEM) to trust; implies TLS.',
    parse: optionalString,
    fallback: () => undefined,
  }),
  setting({
    key: 'tlsCertPath',
    env: 'SW_AGENT_TLS_CERT_PATH',
    form: 'a file path',
    shownDefault: 'none',
    meaning: 'Client certificate (PEM) for mTLS; needs the key.',
    parse: optionalString,
    fallback: () => undefined,
  }),
  setting({
    key: 'tlsKeyPath',
    env: 'SW_AGENT_TLS_KEY_PATH',
    form: 'a file path',
    shownDefault: 'none',
    meaning: 'Client private key (PEM) for mTLS; needs the certificate.',
    parse: optionalString,
    fallback: () => undefined,
  }),
  setting({
    key: 'sampleRate',
    env: 'SW_AGENT_SAMPLE',
    form: 'a number from 0 to 1',
    shownDefault: '`1`',
    meaning: 'Share of new traces recorded; an incoming sw8 decision wins.',
    parse: (raw) => parseNumber(raw, 0, 1),
    fallback: () => 1,
  }),
  setting({
    key: 'maxBufferSize',
    env: 'SW_AGENT_MAX_BUFFER_SIZE',
    form: 'an integer from 1 to 10,000,000',
    shownDefault: '`10000`',
    meaning: 'Items queued (plus in flight) per pipeline.',
    parse: (raw) => parseNumber(raw, 1, 10_000_000, true),
    fallback: () => 10_000,
  }),
  setting({
    key: 'maxBufferBytes',
    env: 'SW_AGENT_MAX_BUFFER_BYTES',
    form: 'bytes from 64kb to 4gb: `16777216`, `16mb`',
    shownDefault: '`8mb`',
    meaning: 'Bytes queued (plus in flight) per pipeline: memory is bounded by 3 × this.',
    parse: (raw) => parseBytes(raw, 64 * 1024, 4 * 1024 ** 3),
    fallback: () => 8 * 1024 * 1024,
  }),
  setting({
    key: 'traceIgnorePath',
    env: 'SW_TRACE_IGNORE_PATH',
    form: 'path globs, comma-separated (`/health,/static/**`)',
    shownDefault: 'none',
    meaning: 'Incoming requests not traced.',
    parse: parseList,
    fallback: () => [],
  }),
  setting({
    key: 'httpIgnoreMethod',
    env: 'SW_HTTP_IGNORE_METHOD',
    form: 'HTTP methods, comma-separated',
    shownDefault: 'none',
    meaning: 'Incoming request methods not traced (e.g. `OPTIONS`).',
    parse: (raw) => mapParsed(parseList(raw), (l) => l.map((m) => m.toUpperCase())),
    fallback: () => [],
  }),
  setting({
    key: 'disablePlugins',
    env: 'SW_AGENT_DISABLE_PLUGINS',
    form: `names from ${PLUGIN_NAMES.join(', ')}`,
    shownDefault: 'none',
    meaning: 'Instrumentations left off.',
    parse: parsePlugins,
    fallback: () => [],
  }),
  setting({
    key: 'logReporterEnable',
    env: 'SW_AGENT_LOG_REPORTER_ENABLE',
    form: 'true or false',
    shownDefault: '`true`',
    meaning: 'Report application logs.',
    parse: parseBoolean,
    fallback: () => true,
  }),
  setting({
    key: 'meterReporterEnable',
    env: 'SW_AGENT_METER_REPORTER_ENABLE',
    form: 'true or false',
    shownDefault: '`true`',
    meaning: 'Report runtime, agent and custom meters.',
    parse: parseBoolean,
    fallback: () => true,
  }),
  setting({
    key: 'runtimeMetersEnable',
    env: 'SW_AGENT_RUNTIME_METERS_ENABLE',
    aliases: ['SW_AGENT_NODEJS_RUNTIME_METRICS_REPORTER_ACTIVE'],
    form: 'true or false',
    shownDefault: '`true`',
    meaning:
      "Report the Node.js runtime meters (OAP's `instance_nodejs_*` and windsock's own); needs `meterReporterEnable`.",
    parse: parseBoolean,
    fallback: () => true,
  }),
  setting({
    key: 'heartbeatIntervalMs',
    env: 'SW_AGENT_HEARTBEAT_INTERVAL',
    form: 'a duration from 1s to 1h: `20000`, `20s`',
    shownDefault: '`20s`',
    meaning:
      'keepAlive period (sent to the backend in use, with the instance properties at start).',
    parse: (raw) => parseDuration(raw, 1000, HOUR),
    fallback: () => 20_000,
  }),
  setting({
    key: 'cdsIntervalMs',
    env: 'SW_AGENT_CDS_INTERVAL',
    form: 'a duration up to 1h; 0 disables',
    shownDefault: '`20s`',
    meaning: 'Configuration discovery polling period.',
    parse: (raw) => parseDuration(raw, 0, HOUR),
    fallback: () => 20_000,
  }),
  setting({
    key: 'meterIntervalMs',
    env: 'SW_AGENT_METER_INTERVAL',
    aliases: ['SW_AGENT_NODEJS_RUNTIME_METRICS_REPORT_PERIOD'],
    form: 'a duration from 1s to 1h: `20000`, `20s`',
    shownDefault: '`20s`',
    meaning:
      'Meter collection period: runtime meters are sampled and every meter reported once per period.',
    parse: (raw) => parseDuration(raw, 1000, HOUR),
    fallback: () => 20_000,
  }),
  setting({
    key: 'loggingLevel',
    env: 'SW_AGENT_LOGGING_LEVEL',
    form: LOG_LEVELS.join(', '),
    shownDefault: '`warn`',
    meaning: "Level of the agent's own diagnostics (stderr).",
    parse: (raw) => parseEnum(raw, LOG_LEVELS),
    fallback: () => 'warn' as const,
  }),
  setting({
    key: 'reportTimeoutMs',
    env: 'SW_AGENT_REPORT_TIMEOUT',
    form: 'a duration from 100ms to 5m',
    shownDefault: '`10s`',
    meaning: 'Deadline of one send attempt.',
    parse: (raw) => parseDuration(raw, 100, 300_000),
    fallback: () => 10_000,
  }),
  setting({
    key: 'maxBatchItems',
    env: 'SW_AGENT_MAX_BATCH_SIZE',
    form: 'an integer from 1 to 10,000',
    shownDefault: '`500`',
    meaning: 'Items per send.',
    parse: (raw) => parseNumber(raw, 1, 10_000, true),
    fallback: () => 500,
  }),
  setting({
    key: 'lingerMs',
    env: 'SW_AGENT_LINGER',
    form: 'a duration up to 1m',
    shownDefault: '`1s`',
    meaning: 'How long a partial batch waits for more items.',
    parse: (raw) => parseDuration(raw, 0, 60_000),
    fallback: () => 1000,
  }),
  setting({
    key: 'breakerThreshold',
    env: 'SW_AGENT_BREAKER_THRESHOLD',
    form: 'an integer from 1 to 1,000',
    shownDefault: '`5`',
    meaning: 'Consecutive failures that open the breaker.',
    parse: (raw) => parseNumber(raw, 1, 1000, true),
    fallback: () => 5,
  }),
  setting({
    key: 'probeMinDelayMs',
    env: 'SW_AGENT_BREAKER_PROBE_MIN_DELAY',
    form: 'a duration from 100ms to 1h',
    shownDefault: '`1s`',
    meaning: 'First half-open probe delay after the breaker opens.',
    parse: (raw) => parseDuration(raw, 100, HOUR),
    fallback: () => 1000,
  }),
  setting({
    key: 'probeMaxDelayMs',
    env: 'SW_AGENT_BREAKER_PROBE_MAX_DELAY',
    form: 'a duration from 100ms to 1h',
    shownDefault: '`10s`',
    meaning: 'Longest probe delay in a long outage; bounds recovery time.',
    parse: (raw) => parseDuration(raw, 100, HOUR),
    fallback: () => 10_000,
  }),
  setting({
    key: 'retryMaxAttempts',
    env: 'SW_AGENT_RETRY_MAX_ATTEMPTS',
    form: 'an integer from 0 to 10',
    shownDefault: '`2`',
    meaning:
      'Retries of a send that cannot have reached the backend; with several backends, none: the next backend is tried.',
    parse: (raw) => parseNumber(raw, 0, 10, true),
    fallback: () => 2,
  }),
  setting({
    key: 'retryInitialDelayMs',
    env: 'SW_AGENT_RETRY_INITIAL_DELAY',
    form: 'a duration from 1ms to 1m',
    shownDefault: '`200ms`',
    meaning: 'First retry backoff (decorrelated jitter).',
    parse: (raw) => parseDuration(raw, 1, 60_000),
    fallback: () => 200,
  }),
  setting({
    key: 'retryMaxDelayMs',
    env: 'SW_AGENT_RETRY_MAX_DELAY',
    form: 'a duration from 1ms to 5m',
    shownDefault: '`5s`',
    meaning: 'Longest retry backoff.',
    parse: (raw) => parseDuration(raw, 1, 300_000),
    fallback: () => 5000,
  }),
  setting({
    key: 'shutdownOnSignals',
    env: 'SW_AGENT_SHUTDOWN_ON_SIGNALS',
    form: 'true or false',
    shownDefault: '`false`',
    meaning: 'On SIGTERM/SIGINT: flush, then exit, within the report timeout.',
    parse: parseBoolean,
    fallback: () => false,
  }),
  setting({
    key: 'captureConsole',
    env: 'SW_AGENT_CAPTURE_CONSOLE',
    form: 'true or false',
    shownDefault: '`false`',
    meaning: 'Report `console.log/info/warn/error/debug` output as logs.',
    parse: parseBoolean,
    fallback: () => false,
  }),
  setting({
    key: 'sqlTraceParameters',
    env: 'SW_AGENT_SQL_TRACE_PARAMETERS',
    form: 'true or false',
    shownDefault: '`false`',
    meaning: 'Record SQL query parameters as `db.sql.parameters` (they may hold personal data).',
    parse: parseBoolean,
    fallback: () => false,
  }),
  setting({
    key: 'sqlParametersMaxLength',
    env: 'SW_AGENT_SQL_PARAMETERS_MAX_LENGTH',
    form: 'an integer from 1 to 65536',
    shownDefault: '`512`',
    meaning: 'Longest `db.sql.parameters` value kept, in characters.',
    parse: (raw) => parseNumber(raw, 1, 65_536, true),
    fallback: () => DEFAULT_INSTRUMENTATION_SETTINGS.sqlParametersMaxLength,
  }),
  setting({
    key: 'sqlStatementMaxLength',
    env: 'SW_AGENT_SQL_STATEMENT_MAX_LENGTH',
    form: 'an integer from 1 to 65536',
    shownDefault: '`2048`',
    meaning: 'Longest `db.statement` value kept, in characters.',
    parse: (raw) => parseNumber(raw, 1, 65_536, true),
    fallback: () => DEFAULT_INSTRUMENTATION_SETTINGS.sqlStatementMaxLength,
  }),
  setting({
    key: 'cacheKeyMaxLength',
    env: 'SW_AGENT_CACHE_KEY_MAX_LENGTH',
    form: 'an integer from 1 to 65536',
    shownDefault: '`128`',
    meaning: 'Longest `cache.key` value kept, in characters.',
    parse: (raw) => parseNumber(raw, 1, 65_536, true),
    fallback: () => DEFAULT_INSTRUMENTATION_SETTINGS.cacheKeyMaxLength,
  }),
  setting({
    key: 'errorStackMaxLength',
    env: 'SW_AGENT_ERROR_STACK_MAX_LENGTH',
    form: 'an integer from 256 to 65536',
    shownDefault: '`4096`',
    meaning:
      'Longest `stack` of an exception logged on a span (its causes included), in characters.',
    parse: (raw) => parseNumber(raw, 256, 65_536, true),
    fallback: () => DEFAULT_MAX_ERROR_STACK_LENGTH,
  }),
] as const;

function mapParsed<A, B>(parsed: Parsed<A>, map: (a: A) => B): Parsed<B> {
  return parsed.ok ? { ok: true, value: map(parsed.value) } : parsed;
}

function parsePlugins(raw: unknown): Parsed<string[]> {
  const list = parseList(raw);
  if (!list.ok) return list;
  const names = list.value.map((n) => n.toLowerCase());
  return names.every((n) => PLUGIN_NAMES.includes(n)) ? { ok: true, value: names } : { ok: false };
}
