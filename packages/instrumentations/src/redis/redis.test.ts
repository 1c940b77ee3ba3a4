import diagnosticsChannel from 'node:diagnostics_channel';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { suppressTracing } from '@windsock/core';
import { freePort, startRedis, type RedisServer } from '@windsock/test-servers';
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
import { COMMAND_CHANNEL } from './channels.js';
import { redisInstrumentation } from './index.js';

// node-redis is required only after the instrumentation is enabled, as under `node -r windsock/register`.
const require = createRequire(import.meta.url);

/** The calls these tests make; node-redis 4 and 5 share them. */
interface Multi {
  set(key: string, value: string): Multi;
  get(key: string): Multi;
  incr(key: string): Multi;
  ttl(key: string): Multi;
  hSet(key: string, field: string, value: string): Multi;
  expire(key: string, seconds: number): Multi;
  del(key: string): Multi;
  exec(): Promise<unknown[]>;
  execAsPipeline(): Promise<unknown[]>;
}
interface Client {
  connect(): Promise<unknown>;
  on(event: string, listener: (...args: unknown[]) => void): Client;
  isReady: boolean;
  set(key: string | Buffer, value: string): Promise<unknown>;
  get(key: string | Buffer): Promise<string | null>;
  hSet(key: string, field: string, value: string): Promise<number>;
  hGet(key: string, field: string): Promise<string | undefined | null>;
  rPush(key: string, value: string): Promise<number>;
  lPop(key: string): Promise<string | null>;
  lPush(key: string, value: string): Promise<number>;
  strLen(key: string): Promise<number>;
  zRange(key: string, min: number, max: number): Promise<string[]>;
  xAdd(key: string, id: string, fields: Record<string, string>): Promise<string>;
  xRead(streams: { key: string; id: string }): Promise<unknown>;
  incr(key: string): Promise<number>;
  del(key: string): Promise<number>;
  watch(key: string): Promise<unknown>;
  blPop(key: string, timeout: number): Promise<unknown>;
  info(section: string): Promise<string>;
  ping(): Promise<string>;
  eval(script: string, options: { keys: string[] }): Promise<unknown>;
  multi(): Multi;
  disconnect?: () => Promise<void>;
  destroy?: () => void;
}
type CreateClient = (options: Record<string, unknown>) => Client;

const KEY_MAX = 24;
const harness = tracingHarness({ cacheKeyMaxLength: KEY_MAX });
const runner = new RequestRunner(harness);
let undo: (() => void) | undefined;
let server: RedisServer;
const clients: Client[] = [];

function end(client: Client): void {
  try {
    if (client.destroy !== undefined) client.destroy();
    else void client.disconnect?.().catch(() => {});
  } catch {
    // Already closed.
  }
}

beforeAll(async () => {
  undo = redisInstrumentation.enable(harness.context);
  server = await startRedis();
  await runner.start();
});

afterAll(async () => {
  for (const client of clients) end(client);
  undo?.();
  await runner.close();
  await server?.stop();
});

describe.each([
  { label: '5.12 (diagnostics channels)', pkg: 'redis', channels: true },
  { label: '4.7 (@redis/client 1.x hooks)', pkg: 'redis4', channels: false },
])('node-redis $label', ({ pkg, channels }) => {
  let createClient: CreateClient;
  let ErrorReply: new () => Error;
  let client: Client;
  // node-redis ≥ 5.12 publishes the arguments of commands it does not list as safe as `?`, keys included.
  const hidden = (key: string) => (channels ? '?' : key);
  const connect = async (options: Record<string, unknown> = {}, wait = true): Promise<Client> => {
    const created = createClient({ socket: { host: server.host, port: server.port }, ...options });
    created.on('error', () => {});
    clients.push(created);
    if (wait) await created.connect();
    return created;
  };

  beforeAll(async () => {
    ({ createClient, ErrorReply } = require(pkg) as {
      createClient: CreateClient;
      ErrorReply: new () => Error;
    });
    client = await connect();
  });

  it('records each command as a Cache exit span, child of the request, with OAP’s cache tags', async () => {
    const result = await runner.run(async () => {
      await client.set('user:1', 'secret-value');
      await client.hSet('profile:1', 'name', 'secret-name');
      return [await client.get('user:1'), await client.hGet('profile:1', 'name')];
    });
    expectFourCommands(result, server.address, hidden('profile:1'));
  });

  it('classifies reads and writes as the server flags them, and finds keys past the first argument', async () => {
    const { exits } = await runner.run(async () => {
      await client.rPush('list:a', 'x');
      await client.lPop('list:a');
      await client.strLen('user:1');
      await client.zRange('zset:a', 0, -1);
      await client.eval('return redis.call("GET", KEYS[1])', { keys: ['user:1'] });
      await client.xAdd('stream:a', '*', { field: 'value' });
      await client.xRead({ key: 'stream:a', id: '0' });
      await client.ping();
    });
    expect(
      exits.map((s) => [s.operationName, tagsOf(s)['cache.op'], tagsOf(s)['cache.key']]),
    ).toEqual([
      ['Redis/RPUSH', 'write', 'list:a'],
      ['Redis/LPOP', 'write', hidden('list:a')],
      ['Redis/STRLEN', 'read', hidden('user:1')],
      ['Redis/ZRANGE', 'read', 'zset:a'],
      ['Redis/EVAL', undefined, 'user:1'],
      ['Redis/XADD', 'write', 'stream:a'],
      ['Redis/XREAD', 'read', 'stream:a'],
      ['Redis/PING', undefined, undefined],
    ]);
  });

  it('caps cache.key at cacheKeyMaxLength, byte keys included', async () => {
    const long = `long:${'k'.repeat(100)}`;
    const { exits } = await runner.run(async () => {
      await client.set(long, '1');
      await client.get(Buffer.from('bytes:ü'));
    });
    expect(exits.map((s) => tagsOf(s)['cache.key'])).toEqual([
      `${long.slice(0, KEY_MAX)}...`,
      'bytes:ü',
    ]);
  });

  it('records a pipeline (execAsPipeline) as one span per command, each a child of the request', async () => {
    const { outcome, entry, exits } = await runner.run(() =>
      client.multi().set('pipe:1', 'a').incr('pipe:n').get('pipe:1').execAsPipeline(),
    );
    expect(success(outcome)).toEqual(['OK', expect.any(Number) as number, 'a']);
    expect(exits.map((s) => [s.operationName, tagsOf(s)['cache.op'], s.parentSpanId])).toEqual([
      ['Redis/SET', 'write', entry.spanId],
      ['Redis/INCR', 'write', entry.spanId],
      ['Redis/GET', 'read', entry.spanId],
    ]);
  });

  it('records MULTI/EXEC as one Redis/MULTI span', async () => {
    const { outcome, exits } = await runner.run(() =>
      client.multi().get('tx:1').set('tx:1', 'v').expire('tx:1', 60).exec(),
    );
    expect(success(outcome)).toHaveLength(3);
    expect(exits).toHaveLength(1);
    expect(exits[0]).toMatchObject({ operationName: 'Redis/MULTI', isError: false });
    // The batch channel tells how many commands a MULTI holds, not which: a write with the key kept back.
    expect(tagsOf(exits[0]!)).toEqual({
      'cache.type': 'Redis',
      'cache.cmd': 'multi',
      'cache.op': 'write',
      'cache.key': hidden('tx:1'),
    });
  });

  it('records a MULTI of reads only as a read where the commands are known', async () => {
    const { exits } = await runner.run(() => client.multi().get('tx:1').ttl('tx:1').exec());
    expect(exits.map((s) => [s.operationName, tagsOf(s)['cache.op']])).toEqual([
      ['Redis/MULTI', channels ? 'write' : 'read'],
    ]);
  });

  it('marks a MULTI whose queued command fails at EXEC as an error; the app gets its MultiErrorReply', async () => {
    await client.set('tx:str', 'v');
    const { outcome, exits } = await runner.run(() =>
      client.multi().set('tx:str', 'v').hSet('tx:str', 'f', 'v').exec(),
    );
    const error = failure(outcome);
    expect(error.constructor.name).toBe('MultiErrorReply');
    expect(exits).toHaveLength(1);
    expect(exits[0]!.isError).toBe(true);
    expect(errorLogs(exits[0]!)[0]).toMatchObject({
      message: expect.stringMatching(/^WRONGTYPE/) as string,
    });
  });

  it('marks a MULTI that a WATCHed key aborted as an error, as the app gets a WatchError', async () => {
    const watcher = await connect();
    const { outcome, exits } = await runner.run(async () => {
      await watcher.watch('watched');
      await client.set('watched', 'changed');
      return watcher.multi().set('watched', 'mine').exec();
    });
    expect(failure(outcome).constructor.name).toBe('WatchError');
    const multi = exits.filter((s) => s.operationName === 'Redis/MULTI');
    expect(multi.map((s) => s.isError)).toEqual([true]);
    expect(errorLogs(multi[0]!)).toHaveLength(1);
  });

  it('marks an error reply (WRONGTYPE) as an error with the error logged; the app gets the same error', async () => {
    const { outcome, exits } = await runner.run(() => client.lPush('user:1', 'x'));
    const error = failure(outcome);
    expect(error).toBeInstanceOf(ErrorReply);
    expect(error.message).toMatch(/^WRONGTYPE/);
    expect(exits).toHaveLength(1);
    expect(exits[0]!.isError).toBe(true);
    expect(errorLogs(exits[0]!)).toEqual([
      expect.objectContaining({ 'error.kind': error.name, message: error.message }),
    ]);
  });

  it('keeps each caller’s context for commands queued before the connection is ready', async () => {
    const pending = await connect({}, false);
    const connecting = pending.connect();
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) => runner.run(() => pending.set(`early:${i}`, 'v'))),
    );
    await connecting;
    for (const [i, { outcome, entry, exits }] of results.entries()) {
      expect(success(outcome)).toBe('OK');
      expect(exits.map((s) => [s.operationName, tagsOf(s)['cache.key'], s.parentSpanId])).toEqual([
        ['Redis/SET', `early:${i}`, entry.spanId],
      ]);
    }
  });

  it('does not record the connection’s own setup commands (SELECT, CLIENT SETNAME/SETINFO)', async () => {
    const { exits } = await runner.run(async () => {
      const fresh = await connect({ name: 'windsock-test', database: 1 });
      await fresh.get('db1:key');
    });
    expect(exits.map((s) => s.operationName)).toEqual(['Redis/GET']);
  });

  it('keeps 50 interleaved requests apart: each has exactly its own spans', async () => {
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        runner.run(async () => {
          await client.set(`c:${i}`, String(i));
          await Promise.all([client.get(`c:${i}`), client.incr(`c:n:${i}`)]);
          await client.multi().get(`c:${i}`).del(`c:n:${i}`).execAsPipeline();
        }),
      ),
    );
    expectRequestsApart(results);
  });

  it('starts a trace of its own for a command outside any request, and none where tracing is suppressed', async () => {
    await expectOwnTraceOutsideRequests(
      harness,
      () => client.get('outside'),
      () => suppressTracing(() => client.get('suppressed')),
    );
  });

  it('marks a command queued on a refused connection as an error with what the app got', async () => {
    const refused = await connect(
      { socket: { host: '127.0.0.1', port: await freePort(), reconnectStrategy: false } },
      false,
    );
    const connecting = refused.connect().catch((error: unknown) => error);
    const { outcome, exits } = await runner.run(() => refused.get('refused'));
    const error = failure(outcome);
    expect(error.message).toMatch(/ECONNREFUSED/);
    expect(await connecting).toBeInstanceOf(Error);
    expect(exits.map((s) => [s.operationName, s.isError])).toEqual([['Redis/GET', true]]);
    expect(errorLogs(exits[0]!)[0]).toMatchObject({ message: error.message });

    // Once closed, node-redis 4 rejects a command before it reaches the queue the hooks see.
    const closed = await runner.run(() => refused.get('closed'));
    expect(failure(closed.outcome).constructor.name).toBe('ClientClosedError');
    expect(closed.exits.map((s) => s.isError)).toEqual(channels ? [true] : []);
  });

  describe('against a server that stops', () => {
    let own: RedisServer;
    beforeAll(async () => {
      own = await startRedis();
    });
    afterEach(async () => {
      await own.restart();
    });
    afterAll(async () => {
      await own?.stop();
    });

    it('marks a command in flight when the server stops as an error with what the app got', async () => {
      const blocking = await connect({ socket: { host: own.host, port: own.port } });
      const admin = await connect({ socket: { host: own.host, port: own.port } });
      const { outcome, exits } = await blockedWhileServerStops(
        runner,
        () => blocking.blPop('never', 0),
        () => admin.info('clients'),
        () => own.kill(),
      );
      const error = failure(outcome);
      const blpop = exits.filter((s) => s.operationName === 'Redis/BLPOP');
      expect(blpop.map((s) => s.isError)).toEqual([true]);
      expect(errorLogs(blpop[0]!)[0]).toMatchObject({ message: error.message });
    });

    it('keeps the callers’ contexts for commands queued while reconnecting', async () => {
      const reconnecting = await connect({
        socket: { host: own.host, port: own.port, reconnectStrategy: () => 20 },
      });
      await own.kill();
      await vi.waitFor(() => expect(reconnecting.isReady).toBe(false));
      const pending = [0, 1, 2].map((i) => runner.run(() => reconnecting.set(`back:${i}`, 'v')));
      await own.restart();
      const results = await Promise.all(pending);
      for (const [i, { outcome, entry, exits }] of results.entries()) {
        expect(success(outcome)).toBe('OK');
        expect(exits.map((s) => [s.operationName, tagsOf(s)['cache.key'], s.isError])).toEqual([
          ['Redis/SET', `back:${i}`, false],
        ]);
        expect(exits[0]!.parentSpanId).toBe(entry.spanId);
      }
    });
  });
});

describe('the undo', () => {
  it('unsubscribes from the channels, restores node-redis 4, and records nothing more', async () => {
    // node-redis 4's own copy of @redis/client, as it requires it.
    const requireFromRedis4 = createRequire(require.resolve('redis4'));
    const queue = requireFromRedis4('@redis/client/dist/lib/client/commands-queue.js') as {
      default: { prototype: { addCommand: unknown } };
    };
    expect(unwrapped(queue.default.prototype.addCommand)).not.toBe(
      queue.default.prototype.addCommand,
    );
    undo?.();
    undo = undefined;
    expect(unwrapped(queue.default.prototype.addCommand)).toBe(queue.default.prototype.addCommand);
    expect(diagnosticsChannel.tracingChannel(COMMAND_CHANNEL).hasSubscribers).toBe(false);
    harness.sink.clear();
    for (const pkg of ['redis', 'redis4']) {
      const { createClient } = require(pkg) as { createClient: CreateClient };
      const client = createClient({ socket: { host: server.host, port: server.port } });
      clients.push(client);
      await client.connect();
      await client.set('after-undo', '1');
      await client.multi().get('after-undo').exec();
    }
    expect(redisSpans(harness)).toEqual([]);
  });
});

describe('CommonJS and ES module applications on each Node.js line', () => {
  const fixture = (name: string) =>
    fileURLToPath(new URL(`../../test/fixtures/redis/${name}`, import.meta.url));

  const cases = ['current', '22', '24', '26'].flatMap((line) =>
    ['app.cjs', 'app.mjs'].flatMap((file) =>
      ['redis', 'redis4'].map((pkg) => ({ line, file, pkg })),
    ),
  );

  it.each(cases)(
    '$file with $pkg on Node $line reports the request with its Redis spans',
    async ({ line, file, pkg }) => {
      const node = line === 'current' ? undefined : nodeBinary(line);
      const run = await runFixture(fixture(file), {
        plugins: ['redis'],
        env: { REDIS_PORT: String(server.port), REDIS_PACKAGE: pkg },
        ...(node ? { node } : {}),
      });
      expectFixtureCommands(run, server.address);
    },
  );
});
