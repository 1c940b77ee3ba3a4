import { SpanLayer, SpanType, type SegmentObject, type SpanObject } from '@windsock/protocol';
import { startRedis, type RedisServer } from '@windsock/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AgentApp, startAgentApp, tagOf } from './helpers/agent-app.js';

// An ES module service under the real agent calling a real redis-server through ioredis and node-redis inside its
// HTTP handlers: what the collector gets is what OAP's Virtual Cache views are built from (layer Cache with
// cache.type, cache.op, cache.cmd and cache.key, the peer naming the cache).
let redis: RedisServer;
let app: AgentApp;
let base: string;

beforeAll(async () => {
  redis = await startRedis();
  app = await startAgentApp('caches/app.mjs', { env: { REDIS_PORT: String(redis.port) } });
  base = `http://127.0.0.1:${(await app.line(/listening on (\d+)/))[1]!}`;
});

afterAll(async () => {
  await app?.stop();
  await redis?.stop();
});

/** Requests `path` and returns the reported entry span of that request, its segment and its cache spans. */
async function request(path: string): Promise<{
  body: unknown;
  segment: SegmentObject;
  entry: SpanObject;
  cache: SpanObject[];
}> {
  const response = await fetch(`${base}${path}`);
  const body: unknown = await response.json();
  expect(response.status).toBe(200);
  const find = () =>
    app
      .spans()
      .find(
        ({ span }) =>
          span.spanType === SpanType.Entry && tagOf(span, 'http.url') === `${base}${path}`,
      );
  await app.collector.waitFor(() => find() !== undefined, 30_000);
  const { segment, span: entry } = find()!;
  const cache = segment.spans.filter((s) => s.spanLayer === SpanLayer.Cache);
  return { body, segment, entry, cache };
}

function expectCacheExit(span: SpanObject, entry: SpanObject): void {
  expect(span).toMatchObject({
    spanType: SpanType.Exit,
    spanLayer: SpanLayer.Cache,
    componentId: 7,
    peer: redis.address,
    parentSpanId: entry.spanId,
  });
  expect(tagOf(span, 'cache.type')).toBe('Redis');
}

describe('Redis clients under windsock/register (ES module app)', () => {
  it('ioredis: Cache exit spans with component 7, host:port peer and cache tags, children of the request', async () => {
    const { body, entry, cache } = await request('/ioredis');
    expect(body).toEqual({ value: 'cached' });
    expect(
      cache.map((s) => [
        s.operationName,
        tagOf(s, 'cache.cmd'),
        tagOf(s, 'cache.op'),
        tagOf(s, 'cache.key'),
      ]),
    ).toEqual([
      ['Redis/SET', 'set', 'write', 'e2e:ioredis'],
      ['Redis/GET', 'get', 'read', 'e2e:ioredis'],
      ['Redis/MULTI', 'multi', 'write', 'e2e:ioredis:hits'],
    ]);
    for (const span of cache) {
      expectCacheExit(span, entry);
      expect(span.isError).toBe(false);
    }
  });

  it('node-redis: Cache exit spans with component 7, host:port peer and cache tags, children of the request', async () => {
    const { body, entry, cache } = await request('/node-redis');
    expect(body).toEqual({ value: 'cached' });
    expect(
      cache.map((s) => [
        s.operationName,
        tagOf(s, 'cache.cmd'),
        tagOf(s, 'cache.op'),
        tagOf(s, 'cache.key'),
      ]),
    ).toEqual([
      ['Redis/SET', 'set', 'write', 'e2e:node-redis'],
      ['Redis/GET', 'get', 'read', 'e2e:node-redis'],
      ['Redis/DEL', 'del', 'write', 'e2e:node-redis'],
    ]);
    for (const span of cache) expectCacheExit(span, entry);
  });

  it('an error reply is an error span with the message the app got', async () => {
    const { body, entry, cache } = await request('/wrongtype');
    const { error } = body as { error: string };
    expect(error).toMatch(/^WRONGTYPE/);
    expect(cache).toHaveLength(1);
    expectCacheExit(cache[0]!, entry);
    expect(cache[0]!.isError).toBe(true);
    const logged = cache[0]!.logs.flatMap((log) => log.data).find((d) => d.key === 'message');
    expect(logged?.value).toBe(error);
  });
});
