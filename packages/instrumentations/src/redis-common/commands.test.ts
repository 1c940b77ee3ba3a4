import { createRequire } from 'node:module';
import { startRedis, type RedisServer } from '@windsock/test-servers';
import type { Redis as IORedis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cacheKey, redisPeer } from './cache-span.js';
import { commandSpec, firstKeyArgument } from './commands.js';

// No instrumentation is enabled in this file: the client only reads the server's command table.
const require = createRequire(import.meta.url);
const Redis = require('ioredis') as typeof IORedis;

describe('the command table against a live server', () => {
  let server: RedisServer;
  let client: IORedis;
  // name → [flags, first key position] as the server reports them (COMMAND INFO).
  const table = new Map<string, { flags: string[]; firstKey: number }>();

  beforeAll(async () => {
    server = await startRedis();
    client = new Redis({ host: server.host, port: server.port });
    const reply = (await client.call('COMMAND')) as [string, number, string[], number][];
    for (const [name, , flags, firstKey] of reply) table.set(name, { flags, firstKey });
  });

  afterAll(async () => {
    client?.disconnect();
    await server?.stop();
  });

  it('gives every command the server flags `write` cache.op write, and every `readonly` one read', () => {
    expect(table.size).toBeGreaterThan(150);
    for (const [name, { flags }] of table) {
      const expected = flags.includes('write')
        ? 'write'
        : flags.includes('readonly')
          ? 'read'
          : undefined;
      // Container commands are classified by their key-taking subcommands (OBJECT ENCODING, XGROUP CREATE).
      if (['object', 'memory', 'xinfo', 'xgroup'].includes(name)) continue;
      expect({ name, op: commandSpec(name).op }).toEqual({ name, op: expected });
    }
  });

  it('points at the first key where the server says it is', () => {
    for (const [name, { flags, firstKey }] of table) {
      const spec = commandSpec(name);
      if (spec.op === undefined || flags.includes('movablekeys')) continue;
      if (['object', 'memory', 'xinfo', 'xgroup'].includes(name)) continue;
      const args = ['a0', 'a1', 'a2', 'a3'];
      const expected = firstKey === 0 ? undefined : args[firstKey - 1];
      expect({ name, key: firstKeyArgument(spec, args, 0) }).toEqual({ name, key: expected });
    }
  });
});

describe('commandSpec', () => {
  it('names the span Redis/<COMMAND> and tags cache.cmd in lower case, whatever case the client sends', () => {
    expect(commandSpec('get')).toMatchObject({ cmd: 'get', operation: 'Redis/GET', op: 'read' });
    expect(commandSpec('GET')).toBe(commandSpec('get'));
    expect(commandSpec('HgetAll')).toMatchObject({ cmd: 'hgetall', op: 'read' });
    expect(commandSpec('JSON.GET')).toEqual({
      cmd: 'json.get',
      operation: 'Redis/JSON.GET',
      op: undefined,
      keyAt: -1,
    });
  });

  it("follows the server's flags where the Java agent's default lists differ", () => {
    // Listed as reads by the Java agent's Jedis/Lettuce defaults, but they remove what they return.
    for (const name of ['lpop', 'rpop', 'blpop', 'brpop', 'spop', 'smove'])
      expect(commandSpec(name).op).toBe('write');
    // Listed as writes there, but they only read.
    for (const name of ['strlen', 'sismember', 'sinter', 'sunion', 'sdiff', 'zrange', 'zrank'])
      expect(commandSpec(name).op).toBe('read');
    // Listed with a trailing space there, so never matched.
    for (const name of ['incr', 'decr', 'append', 'setex', 'setnx', 'msetnx'])
      expect(commandSpec(name).op).toBe('write');
  });

  it('leaves connection, server, pub/sub and scripting commands without cache.op', () => {
    for (const name of ['ping', 'info', 'auth', 'select', 'client', 'publish', 'eval', 'watch'])
      expect(commandSpec(name).op).toBeUndefined();
  });
});

describe('firstKeyArgument', () => {
  const key = (name: string, args: unknown[], start = 0) =>
    firstKeyArgument(commandSpec(name), args, start);

  it('reads the first argument of plain commands, from `start` on', () => {
    expect(key('set', ['user:1', 'value'])).toBe('user:1');
    expect(key('SET', ['SET', 'user:1', 'value'], 1)).toBe('user:1');
  });

  it('finds the key of scripts and numkeys commands only when there is one', () => {
    expect(key('eval', ['return 1', '1', 'k1', 'arg'])).toBe('k1');
    expect(key('evalsha', ['abc', '0', 'arg'])).toBeUndefined();
    expect(key('zunion', ['2', 'z1', 'z2'])).toBe('z1');
    expect(key('blmpop', ['0', '1', 'l1', 'LEFT'])).toBe('l1');
  });

  it('finds stream keys after STREAMS, subcommand keys after the subcommand, MIGRATE keys after KEYS', () => {
    expect(key('xread', ['COUNT', '1', 'STREAMS', 's1', '$'])).toBe('s1');
    expect(key('xreadgroup', ['GROUP', 'g', 'c', 'streams', 's2', '>'])).toBe('s2');
    expect(key('object', ['ENCODING', 'k'])).toBe('k');
    expect(key('xgroup', ['CREATE', 'stream', 'g', '$'])).toBe('stream');
    expect(key('migrate', ['h', '6379', 'k', '0', '100'])).toBe('k');
    expect(key('migrate', ['h', '6379', '', '0', '100', 'KEYS', 'k1', 'k2'])).toBe('k1');
    expect(key('bitop', ['AND', 'dest', 'src'])).toBe('dest');
  });

  it('has no key for keyless commands and commands it does not know', () => {
    expect(key('ping', ['hello'])).toBeUndefined();
    expect(key('keys', ['user:*'])).toBeUndefined();
    expect(key('echo', ['a value'])).toBeUndefined();
    expect(key('json.set', ['doc', '$', '{}'])).toBeUndefined();
  });
});

describe('cacheKey', () => {
  it('keeps strings and numbers, decodes byte keys, leaves anything else out', () => {
    expect(cacheKey('user:1', 128)).toBe('user:1');
    expect(cacheKey(42, 128)).toBe('42');
    expect(cacheKey(Buffer.from('bytes:ü'), 128)).toBe('bytes:ü');
    expect(cacheKey({ toString: () => 'object' }, 128)).toBeUndefined();
    expect(cacheKey(undefined, 128)).toBeUndefined();
  });

  it('cuts a long key to the limit and marks the cut, without splitting a surrogate pair', () => {
    expect(cacheKey('a'.repeat(40), 10)).toBe(`${'a'.repeat(10)}...`);
    expect(cacheKey(`${'a'.repeat(9)}😀tail`, 10)).toBe(`${'a'.repeat(9)}...`);
    expect(cacheKey(Buffer.alloc(1_000_000, 'b'), 8)).toBe('bbbbbbbb...');
  });
});

describe('redisPeer', () => {
  it('is host:port, with the clients’ defaults, brackets for IPv6, the path for a unix socket', () => {
    expect(redisPeer('cache.internal', 6380)).toBe('cache.internal:6380');
    expect(redisPeer(undefined, undefined)).toBe('localhost:6379');
    expect(redisPeer('::1', 6379)).toBe('[::1]:6379');
    expect(redisPeer('127.0.0.1', 6379, '/run/redis.sock')).toBe('/run/redis.sock');
  });
});
