import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { suppressTracing } from '@windsock/core';
import { freePort, startRedis, type RedisServer } from '@windsock/test-servers';
import type { Redis as IORedis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { nodeBinary, runFixture } from '../../test/helpers/fixture.js';
import { errorLogs, tagsOf, tracingHarness } from '../../test/helpers/tracing.js';
import { unwrapped } from '../hooks/wrap.js';
import {
  blockedWhileServerStops,
  expectFixtureCommands,
  expectFourCommands,
  expectOwnTraceOutsideRequests,
  expectRequestsApart,
  failure,
  redisSpans,
  RequestRunner,
  success,
} from '../../test/helpers/redis.js';
import { ioredisInstrumentation } from './index.js';

// ioredis is required only after the instrumentation is enabled, as under `node -r windsock/register`.
const require = createRequire(import.meta.url);
type RedisClass = typeof IORedis & { ReplyError: new (message?: string) => Error };

const KEY_MAX = 24;
const harness = tracingHarness({ cacheKeyMaxLength: KEY_MAX });
const runner = new RequestRunner(harness);
let undo: (() => void) | undefined;
let server: RedisServer;
const clients: IORedis[] = [];

beforeAll(async () => {
  undo = ioredisInstrumentation.enable(harness.context);
  server = await startRedis();
  await runner.start();
});

afterAll(async () => {
  for (const client of clients) client.disconnect();
  undo?.();
  await runner.close();
  await server?.stop();
});

describe.each([
  { label: '5.11', pkg: 'ioredis' },
  { label: '5.4', pkg: 'ioredis-5-4' },
])('ioredis $label', ({ pkg }) => {
  let Redis: RedisClass;
  const connect = (options: Record<string, unknown> = {}): IORedis => {
    const client = new Redis({ host: server.host, port: server.port, ...options });
    client.on('error', () => {});
    clients.push(client);
    return client;
  };
  let redis: IORedis;

  beforeAll(async () => {
    Redis = require(pkg) as RedisClass;
    redis = connect();
    await redis.ping();
  });

  it('records each command as a Cache exit span, child of the request, with OAP’s cache tags', async () => {
    const result = await runner.run(async () => {
      await redis.set('user:1', 'secret-value');
      await redis.hset('profile:1', 'name', 'secret-name');
      return [await redis.get('user:1'), await redis.hget('profile:1', 'name')];
    });
    expectFourCommands(result, server.address);
  });

  it('classifies reads and writes as the server flags them, and finds keys past the first argument', async () => {
    const { exits } = await runner.run(async () => {
      await redis.rpush('list:a', 'x');
      await redis.lpop('list:a');
      await redis.strlen('user:1');
      await redis.zrange('zset:a', 0, -1);
      await redis.eval('return redis.call("GET", KEYS[1])', 1, 'user:1');
      await redis.xadd('stream:a', '*', 'field', 'value');
      await redis.xread('COUNT', 1, 'STREAMS', 'stream:a', '0');
      await redis.ping();
    });
    expect(
      exits.map((s) => [s.operationName, tagsOf(s)['cache.op'], tagsOf(s)['cache.key']]),
    ).toEqual([
      ['Redis/RPUSH', 'write', 'list:a'],
      ['Redis/LPOP', 'write', 'list:a'],
      ['Redis/STRLEN', 'read', 'user:1'],
      ['Redis/ZRANGE', 'read', 'zset:a'],
      ['Redis/EVAL', undefined, 'user:1'],
      ['Redis/XADD', 'write', 'stream:a'],
      ['Redis/XREAD', 'read', 'stream:a'],
      ['Redis/PING', undefined, undefined],
    ]);
  });

  it('caps cache.key at cacheKeyMaxLength, with the client’s keyPrefix and byte keys', async () => {
    const prefixed = connect({ keyPrefix: 'app:' });
    const long = `long:${'k'.repeat(100)}`;
    const { exits } = await runner.run(async () => {
      await prefixed.set('short', '1');
      await redis.set(long, '1');
      await redis.get(Buffer.from('bytes:ü'));
    });
    expect(exits.map((s) => tagsOf(s)['cache.key'])).toEqual([
      'app:short',
      `${long.slice(0, KEY_MAX)}...`,
      'bytes:ü',
    ]);
  });

  it('records a pipeline as one span per command, each a child of the request', async () => {
    const { outcome, entry, exits } = await runner.run(() =>
      redis.pipeline().set('pipe:1', 'a').incr('pipe:n').get('pipe:1').exec(),
    );
    expect(success(outcome)).toEqual([
      [null, 'OK'],
      [null, expect.any(Number) as number],
      [null, 'a'],
    ]);
    expect(exits.map((s) => [s.operationName, tagsOf(s)['cache.op'], s.parentSpanId])).toEqual([
      ['Redis/SET', 'write', entry.spanId],
      ['Redis/INCR', 'write', entry.spanId],
      ['Redis/GET', 'read', entry.spanId],
    ]);
  });

  it('records MULTI/EXEC as one Redis/MULTI span: write if a command writes, its first key', async () => {
    const { outcome, exits } = await runner.run(() =>
      redis.multi().get('tx:1').set('tx:1', 'v').expire('tx:1', 60).exec(),
    );
    expect(success(outcome)).toHaveLength(3);
    expect(exits).toHaveLength(1);
    expect(exits[0]).toMatchObject({ operationName: 'Redis/MULTI', isError: false });
    expect(tagsOf(exits[0]!)).toEqual({
      'cache.type': 'Redis',
      'cache.cmd': 'multi',
      'cache.op': 'write',
      'cache.key': 'tx:1',
    });
  });

  it('records a MULTI of reads only as a read', async () => {
    const { exits } = await runner.run(() => redis.multi().get('tx:1').ttl('tx:1').exec());
    expect(exits.map((s) => [s.operationName, tagsOf(s)['cache.op']])).toEqual([
      ['Redis/MULTI', 'read'],
    ]);
  });

  it('marks a MULTI whose queued command fails at EXEC as an error; the app gets its results as before', async () => {
    await redis.set('tx:str', 'v');
    const { outcome, exits } = await runner.run(() =>
      redis.multi().set('tx:str', 'v').hset('tx:str', 'f', 'v').exec(),
    );
    const results = success(outcome)!;
    expect(results[0]).toEqual([null, 'OK']);
    expect(results[1]![0]).toBeInstanceOf(Redis.ReplyError);
    expect(exits).toHaveLength(1);
    expect(exits[0]!.isError).toBe(true);
    expect(errorLogs(exits[0]!)[0]).toMatchObject({
      'error.kind': 'ReplyError',
      message: (results[1]![0] as Error).message,
    });
  });

  it('marks an error reply (WRONGTYPE) as an error with the error logged; the app gets the same ReplyError', async () => {
    const { outcome, exits } = await runner.run(() => redis.lpush('user:1', 'x'));
    const error = failure(outcome);
    expect(error).toBeInstanceOf(Redis.ReplyError);
    expect(error.message).toMatch(/^WRONGTYPE/);
    expect(exits).toHaveLength(1);
    expect(exits[0]!.isError).toBe(true);
    expect(errorLogs(exits[0]!)).toEqual([
      expect.objectContaining({ 'error.kind': 'ReplyError', message: error.message }),
    ]);
  });

  it('calls callbacks as before, in the request’s context', async () => {
    const { outcome, segment, exits } = await runner.run(
      () =>
        new Promise<[string | null | undefined, string | undefined]>((resolve, reject) => {
          // The callback form also returns the promise; the callback is what this test is about.
          void redis.get('user:1', (error, value) => {
            if (error) reject(error);
            else resolve([value, harness.tracer.activeSpan()?.traceId]);
          });
        }),
    );
    const [value, traceId] = success(outcome);
    expect(value).toBe('secret-value');
    expect(traceId).toBe(segment.traceId);
    expect(exits.map((s) => s.operationName)).toEqual(['Redis/GET']);
  });

  it('keeps each caller’s context through auto-pipelining and the offline queue of a lazy connection', async () => {
    const auto = connect({ enableAutoPipelining: true });
    await auto.ping();
    const lazy = connect({ lazyConnect: true });
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        runner.run(async () => {
          await auto.set(`auto:${i}`, String(i));
          return lazy.get(`auto:${i}`);
        }),
      ),
    );
    for (const [i, { outcome, entry, exits }] of results.entries()) {
      expect(success(outcome)).toBe(String(i));
      expect(exits.map((s) => [s.operationName, tagsOf(s)['cache.key'], s.parentSpanId])).toEqual([
        ['Redis/SET', `auto:${i}`, entry.spanId],
        ['Redis/GET', `auto:${i}`, entry.spanId],
      ]);
    }
  });

  it('does not record the connection’s own setup commands (CLIENT SETINFO, INFO ready check)', async () => {
    const { exits } = await runner.run(async () => {
      const fresh = connect({ connectionName: 'windsock-test', db: 1 });
      await fresh.get('db1:key');
    });
    expect(exits.map((s) => s.operationName)).toEqual(['Redis/GET']);
  });

  it('keeps 50 interleaved requests apart: each has exactly its own spans', async () => {
    const auto = connect({ enableAutoPipelining: true });
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        runner.run(async () => {
          await redis.set(`c:${i}`, String(i));
          await Promise.all([redis.get(`c:${i}`), auto.incr(`c:n:${i}`)]);
          await redis.pipeline().get(`c:${i}`).del(`c:n:${i}`).exec();
        }),
      ),
    );
    expectRequestsApart(results);
  });

  it('starts a trace of its own for a command outside any request, and none where tracing is suppressed', async () => {
    await expectOwnTraceOutsideRequests(
      harness,
      () => redis.get('outside'),
      () => suppressTracing(() => redis.get('suppressed')),
    );
  });

  it('marks a refused connection’s command as an error with what the app got', async () => {
    const refused = connect({ port: await freePort(), retryStrategy: () => null });
    const { outcome, exits } = await runner.run(() => refused.get('refused'));
    const error = failure(outcome);
    expect(exits).toHaveLength(1);
    expect(exits[0]).toMatchObject({ operationName: 'Redis/GET', isError: true });
    expect(errorLogs(exits[0]!)[0]).toMatchObject({ message: error.message });
  });

  describe('against a server that stops', () => {
    let own: RedisServer;
    beforeAll(async () => {
      own = await startRedis();
    });
    afterEach(async () => {
      // Running again for the next test, whatever this one left behind.
      await own.restart();
    });
    afterAll(async () => {
      await own?.stop();
    });

    it('marks a command in flight when the server stops as an error with what the app got', async () => {
      const client = connect({ port: own.port, retryStrategy: () => null });
      const admin = connect({ port: own.port, retryStrategy: () => null });
      await Promise.all([client.ping(), admin.ping()]);
      const { outcome, exits } = await blockedWhileServerStops(
        runner,
        () => client.blpop('never', 0),
        () => admin.info('clients'),
        () => own.kill(),
      );
      const error = failure(outcome);
      expect(error.message).toBe('Connection is closed.');
      // The admin connection's INFO polling ran in the request too.
      const blpop = exits.filter((s) => s.operationName === 'Redis/BLPOP');
      expect(blpop.map((s) => s.isError)).toEqual([true]);
      expect(errorLogs(blpop[0]!)[0]).toMatchObject({ message: error.message });
    });

    it('keeps the callers’ contexts for commands queued while reconnecting', async () => {
      const client = connect({
        port: own.port,
        retryStrategy: () => 20,
        maxRetriesPerRequest: null,
      });
      await client.ping();
      await own.kill();
      await vi.waitFor(() => expect(client.status).not.toBe('ready'));
      const pending = [0, 1, 2].map((i) => runner.run(() => client.set(`back:${i}`, 'v')));
      await own.restart();
      const results = await Promise.all(pending);
      for (const [i, { outcome, entry, exits }] of results.entries()) {
        expect(success(outcome)).toBe('OK');
        expect(exits.map((s) => [s.operationName, tagsOf(s)['cache.key'], s.parentSpanId])).toEqual(
          [['Redis/SET', `back:${i}`, entry.spanId]],
        );
        expect(exits[0]!.isError).toBe(false);
      }
    });
  });
});

describe('the undo', () => {
  it('restores sendCommand on both copies and records nothing more', async () => {
    const modern = require('ioredis') as RedisClass;
    const older = require('ioredis-5-4') as RedisClass;
    undo?.();
    undo = undefined;
    for (const Redis of [modern, older]) {
      const proto = Redis.prototype as unknown as { sendCommand: unknown };
      expect(unwrapped(proto.sendCommand)).toBe(proto.sendCommand);
    }
    harness.sink.clear();
    const client = new modern({ host: server.host, port: server.port });
    clients.push(client);
    await client.set('after-undo', '1');
    await client.pipeline().get('after-undo').exec();
    expect(redisSpans(harness)).toEqual([]);
  });
});

describe('CommonJS and ES module applications on each Node.js line', () => {
  const fixture = (name: string) =>
    fileURLToPath(new URL(`../../test/fixtures/ioredis/${name}`, import.meta.url));

  const cases = ['current', '22', '24', '26'].flatMap((line) =>
    ['app.cjs', 'app.mjs'].flatMap((file) =>
      ['ioredis', 'ioredis-5-4'].map((pkg) => ({ line, file, pkg })),
    ),
  );

  it.each(cases)(
    '$file with $pkg on Node $line reports the request with its Redis spans',
    async ({ line, file, pkg }) => {
      const node = line === 'current' ? undefined : nodeBinary(line);
      const run = await runFixture(fixture(file), {
        plugins: ['ioredis'],
        env: { REDIS_PORT: String(server.port), IOREDIS_PACKAGE: pkg },
        ...(node ? { node } : {}),
      });
      expectFixtureCommands(run, server.address);
    },
  );
});
