import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { OptionsError } from '@windsock/options';
import { describe, expect, it } from 'vitest';
import { instrumentationTable, INSTRUMENTATIONS } from '@windsock/instrumentations';
import {
  ConfigError,
  configurationTable,
  PLUGIN_NAMES,
  resolveConfig,
  SETTINGS,
} from './config.js';

// Any readable file stands in for a certificate: the configuration checks that it can be read, the transport parses it.
const READABLE = fileURLToPath(import.meta.url);

describe('resolveConfig', () => {
  it('gives documented defaults with no options and no environment', () => {
    const config = resolveConfig({}, {});
    expect(config).toMatchObject({
      serviceName: 'your-nodejs-service',
      collector: ['127.0.0.1:11800'],
      secure: false,
      sampleRate: 1,
      maxBufferSize: 10_000,
      maxBufferBytes: 8 * 1024 * 1024,
      heartbeatIntervalMs: 20_000,
      loggingLevel: 'warn',
      breakerThreshold: 5,
      probeMinDelayMs: 1000,
      probeMaxDelayMs: 10_000,
      retryMaxAttempts: 2,
      captureConsole: false,
    });
    expect(config.serviceInstance).toMatch(/^[0-9a-f]{32}@.+/);
  });

  it('reads SW_* environment variables, and options win over them', () => {
    const env = {
      SW_AGENT_NAME: 'from-env',
      SW_AGENT_COLLECTOR_BACKEND_SERVICES: 'a:11800, b:11801',
      SW_AGENT_SAMPLE: '0.25',
      SW_AGENT_MAX_BUFFER_BYTES: '16mb',
      SW_AGENT_HEARTBEAT_INTERVAL: '30s',
      SW_TRACE_IGNORE_PATH: '/health,/static/**',
      SW_HTTP_IGNORE_METHOD: 'options,head',
      SW_AGENT_LOG_REPORTER_ENABLE: 'false',
      SW_AGENT_LOGGING_LEVEL: 'DEBUG',
      SW_AGENT_CDS_INTERVAL: '1h', // the top of the documented range, written as such
      SW_AGENT_CAPTURE_CONSOLE: 'true',
    };
    const config = resolveConfig({ serviceName: 'from-option' }, env);
    expect(config).toMatchObject({
      serviceName: 'from-option',
      collector: ['a:11800', 'b:11801'],
      sampleRate: 0.25,
      maxBufferBytes: 16 * 1024 * 1024,
      heartbeatIntervalMs: 30_000,
      traceIgnorePath: ['/health', '/static/**'],
      httpIgnoreMethod: ['OPTIONS', 'HEAD'],
      logReporterEnable: false,
      loggingLevel: 'debug',
      cdsIntervalMs: 3_600_000,
      captureConsole: true,
    });
  });

  it('accepts the collector as an array, and IPv6 addresses in brackets', () => {
    expect(resolveConfig({ collector: ['[::1]:11800', 'oap.example:443'] }, {}).collector).toEqual([
      '[::1]:11800',
      'oap.example:443',
    ]);
  });

  it('turns TLS on when a CA or client certificate is given', () => {
    expect(resolveConfig({ tlsCaPath: READABLE }, {}).secure).toBe(true);
  });

  it('names a certificate file that cannot be read by the option or variable that gave it', () => {
    let error: unknown;
    try {
      resolveConfig(
        { tlsCertPath: READABLE, tlsKeyPath: '/nonexistent/key.pem' },
        {
          SW_AGENT_TLS_CA_PATH: new URL('.', import.meta.url).pathname,
        },
      );
    } catch (e) {
      error = e;
    }
    expect((error as ConfigError).problems).toEqual([
      {
        name: 'SW_AGENT_TLS_CA_PATH (tlsCaPath)',
        value: JSON.stringify(new URL('.', import.meta.url).pathname),
        expected: 'a readable file (a directory)',
      },
      { name: 'tlsKeyPath', value: '"/nonexistent/key.pem"', expected: 'a readable file (ENOENT)' },
    ]);
  });

  it('lists every problem at once, naming the option or variable, the value and the accepted form', () => {
    let error: unknown;
    try {
      resolveConfig(
        {
          sampleRate: 2,
          collector: 'no-port',
          maxBufferSize: -1,
          tlsCertPath: READABLE,
          bogus: 1,
        } as never,
        { SW_AGENT_HEARTBEAT_INTERVAL: 'often', SW_AGENT_DISABLE_PLUGINS: 'http,mongodb' },
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems.map((p) => p.name).sort()).toEqual(
      [
        'SW_AGENT_DISABLE_PLUGINS (disablePlugins)',
        'SW_AGENT_HEARTBEAT_INTERVAL (heartbeatIntervalMs)',
        'bogus',
        'collector',
        'maxBufferSize',
        'sampleRate',
        'tlsCertPath/tlsKeyPath',
      ].sort(),
    );
    // The one error every windsock package throws for bad options, so one instanceof catches them all.
    expect(error).toBeInstanceOf(OptionsError);
    const message = (error as Error).message;
    expect(message).toMatch(/^windsock: invalid configuration \(7 problems\):\n/);
    expect(message).toContain('sampleRate = 2: expected a number from 0 to 1');
    expect(message).toContain('SW_AGENT_HEARTBEAT_INTERVAL (heartbeatIntervalMs) = "often"');
  });

  it('names the variables, not only the options, when two settings from the environment disagree', () => {
    const names = (env: NodeJS.ProcessEnv): string[] => {
      try {
        resolveConfig({}, env);
        return [];
      } catch (error) {
        return (error as ConfigError).problems.map((p) => p.name);
      }
    };
    expect(names({ SW_AGENT_TLS_CERT_PATH: READABLE })).toEqual([
      'SW_AGENT_TLS_CERT_PATH (tlsCertPath)/tlsKeyPath',
    ]);
    expect(
      names({ SW_AGENT_BREAKER_PROBE_MIN_DELAY: '5s', SW_AGENT_BREAKER_PROBE_MAX_DELAY: '1s' }),
    ).toEqual(['SW_AGENT_BREAKER_PROBE_MIN_DELAY (probeMinDelayMs)']);
    expect(names({ SW_AGENT_RETRY_INITIAL_DELAY: '10s', SW_AGENT_RETRY_MAX_DELAY: '1s' })).toEqual([
      'SW_AGENT_RETRY_INITIAL_DELAY (retryInitialDelayMs)',
    ]);
  });

  it.each([
    ['SW_AGENT_SAMPLE', 'NaN'],
    ['SW_AGENT_SAMPLE', '-0.1'],
    ['SW_AGENT_MAX_BUFFER_SIZE', '1.5'],
    ['SW_AGENT_MAX_BUFFER_BYTES', '1tb'],
    ['SW_AGENT_SECURE', 'maybe'],
    ['SW_AGENT_COLLECTOR_BACKEND_SERVICES', 'host:99999'],
    ['SW_AGENT_COLLECTOR_BACKEND_SERVICES', ','],
    ['SW_AGENT_LOGGING_LEVEL', 'loud'],
    ['SW_AGENT_BREAKER_PROBE_MIN_DELAY', '2h'],
    ['SW_AGENT_RETRY_MAX_ATTEMPTS', '11'],
  ])('rejects %s=%s', (name, value) => {
    expect(() => resolveConfig({}, { [name]: value })).toThrow(ConfigError);
    expect(() => resolveConfig({}, { [name]: value })).toThrow(name);
  });

  it('rejects a probe or retry minimum above its maximum', () => {
    expect(() => resolveConfig({ probeMinDelayMs: 20_000 }, {})).toThrow(/probeMinDelayMs/);
    expect(() => resolveConfig({ retryInitialDelayMs: 6_000 }, {})).toThrow(/retryInitialDelayMs/);
  });

  it('rejects options that are not an object, and wrongly typed values', () => {
    expect(() => resolveConfig('checkout' as never, {})).toThrow(ConfigError);
    expect(() => resolveConfig({ serviceName: 42 } as never, {})).toThrow(/serviceName = 42/);
    expect(() => resolveConfig({ diagnostics: 'stderr' } as never, {})).toThrow(/diagnostics/);
  });

  it('has one environment variable per setting, each distinct, aliases included', () => {
    const envs = SETTINGS.flatMap((s): string[] => [
      ...(s.env === undefined ? [] : [s.env]),
      ...(('aliases' in s ? s.aliases : undefined) ?? []),
    ]);
    expect(new Set(envs).size).toBe(envs.length);
  });

  it("accepts the Apache Node.js agent's runtime metrics variables as aliases", () => {
    const apache = {
      SW_AGENT_NODEJS_RUNTIME_METRICS_REPORTER_ACTIVE: 'false',
      SW_AGENT_NODEJS_RUNTIME_METRICS_REPORT_PERIOD: '30000', // milliseconds, as the Apache agent reads it
    };
    expect(resolveConfig({}, apache)).toMatchObject({
      runtimeMetersEnable: false,
      meterIntervalMs: 30_000,
      meterReporterEnable: true, // the agent's health and custom meters are not switched off with them
    });
    // windsock's own variables win over the aliases, options over both.
    const both = {
      ...apache,
      SW_AGENT_RUNTIME_METERS_ENABLE: 'true',
      SW_AGENT_METER_INTERVAL: '20s',
    };
    expect(resolveConfig({}, both)).toMatchObject({
      runtimeMetersEnable: true,
      meterIntervalMs: 20_000,
    });
    expect(resolveConfig({ meterIntervalMs: 5_000 }, both).meterIntervalMs).toBe(5_000);
    expect(resolveConfig({}, {})).toMatchObject({
      runtimeMetersEnable: true,
      meterIntervalMs: 20_000,
      errorStackMaxLength: 4096,
    });
  });

  it('names the alias a bad value came from', () => {
    let error: unknown;
    try {
      resolveConfig({}, { SW_AGENT_NODEJS_RUNTIME_METRICS_REPORT_PERIOD: '500' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      {
        name: 'SW_AGENT_NODEJS_RUNTIME_METRICS_REPORT_PERIOD (meterIntervalMs)',
        value: '"500"',
        expected: 'a duration from 1s to 1h: `20000`, `20s`',
      },
    ]);
  });

  it('reads the error stack cap from SW_AGENT_ERROR_STACK_MAX_LENGTH, within its range', () => {
    expect(resolveConfig({}, { SW_AGENT_ERROR_STACK_MAX_LENGTH: '8192' }).errorStackMaxLength).toBe(
      8192,
    );
    expect(() => resolveConfig({ errorStackMaxLength: 100 }, {})).toThrow(ConfigError);
  });

  it('the README documents exactly this table', () => {
    // Compare cell by cell: prettier pads markdown tables, which changes nothing a reader sees.
    const normalize = (text: string): string =>
      text
        .split('\n')
        .filter((line) => line.trim().startsWith('|'))
        .map((line) =>
          line
            .split('|')
            .map((cell) => cell.trim().replace(/^:?-+:?$/, '---'))
            .join('|'),
        )
        .join('\n');
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    expect(normalize(readme)).toContain(normalize(configurationTable()));
    // The library list, and so every name disablePlugins accepts beyond core's, comes from the registry.
    expect(normalize(readme)).toContain(normalize(instrumentationTable(INSTRUMENTATIONS)));
    for (const { name } of INSTRUMENTATIONS) expect(PLUGIN_NAMES).toContain(name);
  });
});
