// Bad input, end to end: garbage in every SW_* variable, misuse of the public API, 10,000 fuzzed propagation
// headers on real HTTP requests, a 50 MB log message. Nothing may throw into the application, and every cap is
// counted. The agent runs in this test process (vitest gives each file its own), against a real collector.
import { spawnSync } from 'node:child_process';
import http from 'node:http';
import { type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { startCollector, type Collector } from '@windsock/collector';
import fc from 'fast-check';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ConfigError, resolveConfig, SETTINGS, start, type Agent } from 'windsock';
import { droppedTotal, identityViolations, PIPELINES } from '../src/accounting.js';

const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));
const GARBAGE = ['garbage\u0007🙂', '-1', '1e999', 'NaN', ' ', 'true false', '0x'];
const ENV_NAMES = SETTINGS.flatMap((s) => (s.env === undefined ? [] : [s.env]));

describe('garbage in every SW_* variable', () => {
  test('each one is either accepted or refused with a message naming it', () => {
    const refused = new Set<string>();
    for (const name of ENV_NAMES) {
      for (const value of GARBAGE) {
        try {
          resolveConfig({}, { [name]: value });
        } catch (error) {
          expect(error).toBeInstanceOf(ConfigError);
          expect((error as ConfigError).message).toContain(name);
          refused.add(name);
        }
      }
    }
    // Everything but free-form strings (names, token, paths, globs) has a form garbage cannot match.
    for (const name of [
      'SW_AGENT_SAMPLE',
      'SW_AGENT_MAX_BUFFER_SIZE',
      'SW_AGENT_MAX_BUFFER_BYTES',
      'SW_AGENT_REPORT_TIMEOUT',
      'SW_AGENT_BREAKER_THRESHOLD',
      'SW_AGENT_COLLECTOR_BACKEND_SERVICES',
      'SW_AGENT_SECURE',
      'SW_AGENT_LOGGING_LEVEL',
    ]) {
      expect(refused).toContain(name);
    }
  });

  test('through windsock/register, all at once: every refused variable is named and the app still runs', () => {
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH };
    for (const name of ENV_NAMES) env[name] = 'garbage\u0007🙂';
    const run = spawnSync(
      process.execPath,
      ['--import', 'windsock/register', '--input-type=module', '-e', "console.log('the app ran')"],
      { cwd: PACKAGE_DIR, env, encoding: 'utf8', timeout: 30_000 },
    );
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('the app ran');
    expect(run.stderr).toContain('the agent is off; the application runs without it');
    for (const name of ENV_NAMES) {
      let refusedAlone = false;
      try {
        resolveConfig({}, { [name]: 'garbage\u0007🙂' });
      } catch {
        refusedAlone = true;
      }
      if (refusedAlone) expect(run.stderr).toContain(name);
    }
  });
  test.each(['SW_AGENT_TLS_CA_PATH', 'SW_AGENT_TLS_CERT_PATH'])(
    '%s naming a file that does not exist: the message shows the path and the app still runs',
    (name) => {
      const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, [name]: '/nonexistent/garbage.pem' };
      if (name === 'SW_AGENT_TLS_CERT_PATH') env.SW_AGENT_TLS_KEY_PATH = '/nonexistent/key.pem';
      const run = spawnSync(
        process.execPath,
        [
          '--import',
          'windsock/register',
          '--input-type=module',
          '-e',
          "console.log('the app ran')",
        ],
        { cwd: PACKAGE_DIR, env, encoding: 'utf8', timeout: 30_000 },
      );
      expect(run.status).toBe(0);
      expect(run.stdout).toContain('the app ran');
      expect(run.stderr).toContain(`${name} (`); // named by the variable the user set
      expect(run.stderr).toContain('/nonexistent/');
      expect(run.stderr).toContain('the agent is off');
    },
  );
});

describe('API misuse, fuzzed headers and huge values against a running agent', () => {
  let collector: Collector;
  let agent: Agent;
  let server: http.Server;
  let port = 0;

  beforeAll(async () => {
    collector = await startCollector({ port: 0, retain: 20_000 });
    // Wrong types first: start() refuses them all at once, and no agent is left running.
    expect(() =>
      start({
        serviceName: 42,
        maxBufferSize: 'lots',
        collector: {},
        sampleRate: -3,
        diagnostics: 'stderr',
      } as never),
    ).toThrow(ConfigError);
    expect(() => start('checkout' as never)).toThrow(ConfigError);
    agent = start({
      serviceName: 'bad-input',
      collector: collector.address,
      lingerMs: 50,
      meterReporterEnable: false,
      // The test's own client must not replace the fuzzed headers with a valid sw8 of its own.
      disablePlugins: ['http-client'],
      loggingLevel: 'silent',
    });
    server = http.createServer((_request, response) => response.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    server.closeAllConnections();
    server.close();
    await agent?.shutdown({ timeoutMs: 5_000 });
    await collector?.stop();
  });

  test('start() with wrong types names every bad option', () => {
    let problems: string[] = [];
    try {
      resolveConfig({ serviceName: 42, maxBufferSize: 'lots', collector: {} } as never, {});
    } catch (error) {
      problems = (error as ConfigError).problems.map((p) => p.name);
    }
    expect(problems).toEqual(expect.arrayContaining(['serviceName', 'maxBufferSize', 'collector']));
  });

  test('spans ended twice, non-string tags, 10 MB tag values and 10,000 spans in a segment', () => {
    const { tracer } = agent;
    const before = tracer.stats();
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    const root = tracer.startLocalSpan('misuse');
    tracer.withSpan(root, () => {
      for (let i = 0; i < 10_000; i += 1) tracer.startLocalSpan(`child-${i}`).end();
    });
    root
      .tag('number', 42)
      .tag('object', { a: 1 })
      .tag('symbol', Symbol('s'))
      .tag('circular', circular)
      .tag('function', () => 1)
      .tag('bigint', 10n)
      .tag(undefined as never, null)
      .tag('huge', 'x'.repeat(10 * 1024 * 1024));
    root.end();
    root.end();
    root.tag('after-end', 'ignored');
    const after = tracer.stats();
    expect(after.segmentsFinished - before.segmentsFinished).toBe(1);
    expect(after.spansDropped - before.spansDropped).toBeGreaterThan(9_000);
    expect(after.valuesTruncated - before.valuesTruncated).toBeGreaterThanOrEqual(1);
    expect(after.sinkErrors).toBe(0);
  });

  test('a 50 MB log message, through the agent logger and through pino, is capped and counted', async () => {
    const huge = 'y'.repeat(50 * 1024 * 1024);
    const before = agent.logger.stats().truncated;
    const appLog = pino({ level: 'info' }, pino.destination({ dest: '/dev/null', sync: true }));
    agent.logger.info(huge);
    appLog.info(huge);
    expect(agent.logger.stats().truncated - before).toBe(2);
    await agent.flush({ timeoutMs: 10_000 });
    const longest = Math.max(...collector.logs().map((log) => (log.body?.text?.text ?? '').length));
    expect(longest).toBeGreaterThan(1_000);
    expect(longest).toBeLessThanOrEqual(8_192);
  });

  test('10,000 fuzzed sw8 / sw8-correlation / sw8-x headers on real HTTP requests', async () => {
    const before = agent.tracer.stats();
    const b64 = fc.base64String({ maxLength: 40 });
    const sw8 = fc.oneof(
      fc.string({ unit: 'binary-ascii', maxLength: 200 }),
      fc
        .tuple(fc.constantFrom('0', '1', '2', ''), b64, b64, fc.integer(), b64, b64, b64, b64)
        .map((parts) => parts.join('-')),
      fc
        .array(fc.constantFrom('1', '-', 'YQ==', '=', '', '%', '\t'), { maxLength: 30 })
        .map((a) => a.join('')),
    );
    const headers = fc.record({
      sw8,
      'sw8-correlation': fc.string({ unit: 'binary-ascii', maxLength: 300 }),
      'sw8-x': fc.string({ unit: 'binary-ascii', maxLength: 50 }),
    });
    // Only what HTTP itself allows in a header value: the agent must cope with anything a client can send.
    const printable = (value: string): string => value.replace(/[^\t\x20-\x7e]/g, '');
    const cases = fc.sample(headers, { numRuns: 10_000, seed: 10 }).map((h) => ({
      sw8: printable(h.sw8),
      'sw8-correlation': printable(h['sw8-correlation']),
      'sw8-x': printable(h['sw8-x']),
    }));
    const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 32 });
    const statuses = new Map<number, number>();
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < cases.length) {
        const headersOfCase = cases[next++]!;
        const code = await new Promise<number>((resolve) => {
          const request = http.get(
            { host: '127.0.0.1', port, path: '/fuzz', agent: keepAlive, headers: headersOfCase },
            (response) => {
              response.resume();
              response.on('end', () => resolve(response.statusCode ?? 0));
            },
          );
          request.on('error', () => resolve(-1));
        });
        statuses.set(code, (statuses.get(code) ?? 0) + 1);
      }
    };
    await Promise.all(Array.from({ length: 32 }, worker));
    keepAlive.destroy();
    expect(Object.fromEntries(statuses)).toEqual({ 200: 10_000 });
    const after = agent.tracer.stats();
    const traced =
      after.segmentsFinished -
      before.segmentsFinished +
      (after.segmentsUnsampled - before.segmentsUnsampled);
    // Every request was traced (its own client call too): a malformed header starts a new trace, never an error.
    expect(traced).toBeGreaterThanOrEqual(10_000);
    expect(after.malformedHeaders - before.malformedHeaders).toBeGreaterThan(1_000);
    expect(after.sinkErrors).toBe(0);
  });

  test('after all of it the accounting holds and the collector acknowledged what was delivered', async () => {
    const flushed = await agent.flush({ timeoutMs: 20_000 });
    expect(flushed.done).toBe(true);
    const status = agent.status();
    expect(identityViolations(status)).toEqual([]);
    const counts = collector.counts();
    for (const name of PIPELINES) {
      expect(counts[name]).toBeGreaterThanOrEqual(status.pipelines[name].delivered);
      expect(counts[name]).toBeLessThanOrEqual(
        status.pipelines[name].delivered + status.pipelines[name].dropped.unacknowledged,
      );
    }
    // Nothing was lost: every segment produced (fuzzed headers may legitimately mark traces unsampled) arrived.
    expect(droppedTotal(status.pipelines.segments)).toBe(0);
    expect(status.pipelines.segments.delivered).toBe(status.pipelines.segments.produced);
    expect(status.pipelines.segments.produced).toBeGreaterThan(5_000);
  });
});
