import { readFileSync, writeFileSync } from 'node:fs';
import http, { type Server } from 'node:http';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type KoaRouter from '@koa/router';
import { SpanLayer, SpanType } from '@windsock/protocol';
import { tempDir } from '@windsock/test-servers';
import type Koa from 'koa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  fixtureResults,
  nodeLines,
  runFixture,
  withoutLoaderWarning,
} from '../../test/helpers/fixture.js';
import { close, get, listen } from '../../test/helpers/http.js';
import { copyPackage } from '../../test/helpers/package-copy.js';
import {
  entrySpans,
  served,
  tagOf,
  tracingHarness,
  type TracingHarness,
} from '../../test/helpers/tracing.js';
import {
  expectAborted,
  expectFetchUnderRoute,
  expectFixtureRoutes,
  expectReportedOnce,
  expectStreamedOnce,
  fixtureEntries,
  HangingRequest,
} from '../../test/helpers/web-framework.js';
import { koaInstrumentation } from './index.js';

const require = createRequire(import.meta.url);
const KOA = 4004;

// Koa's callback returns a promise (which never rejects); Node's 'request' listeners are called for no value.
function requestListener(app: Koa): http.RequestListener {
  const callback = app.callback();
  return (request, response) => {
    void callback(request, response);
  };
}

describe('koa instrumentation', () => {
  let harness: TracingHarness;
  let undo: () => void;
  let server: Server | undefined;
  let downstream: Server | undefined;
  let base: string;
  let KoaClass: typeof Koa;
  const appErrors: unknown[] = [];
  const hang = new HangingRequest();

  beforeAll(async () => {
    harness = tracingHarness();
    undo = koaInstrumentation.enable(harness.context);
    KoaClass = require('koa') as typeof Koa;
    const Router = require('@koa/router') as typeof KoaRouter;

    downstream = http.createServer((request, response) => {
      response.end(`stock of ${request.url}`);
    });
    const downstreamBase = await listen(downstream);

    const app = new KoaClass();
    app.on('error', (error: unknown) => appErrors.push(error));
    // A middleware before the router, as most apps have (logging, timing): it sees every request, routed or not.
    app.use(async (ctx, next) => {
      await next();
      ctx.set('x-seen', '1');
    });
    const router = new Router();
    router.get('/users/:id', (ctx) => {
      ctx.body = { id: ctx.params.id };
    });
    router.get('/boom', () => {
      throw new Error('sync boom');
    });
    router.get('/async-boom/:id', async () => {
      await nextTurn();
      throw new Error('async boom');
    });
    router.get('/forbidden/:id', (ctx) => ctx.throw(403));
    router.get('/slow/:id', async (ctx) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      ctx.body = `slow ${ctx.params.id}`;
    });
    router.get('/proxy/:name', async (ctx) => {
      const response = await fetch(`${downstreamBase}/stock/${ctx.params.name}`);
      ctx.body = await response.text();
    });
    router.get('/stream/:id', (ctx) => {
      ctx.type = 'text/plain';
      ctx.body = Readable.from(
        (async function* chunks() {
          for (let i = 0; i < 3; i++) {
            await nextTurn();
            yield `chunk ${i}\n`;
          }
        })(),
      );
    });
    router.get('/hang/:id', async (ctx) => {
      await hang.hold(ctx.res);
      ctx.body = 'too late';
      hang.end();
    });
    // Error-handling middleware as Koa's documentation writes it: it answers, and reports through the app.
    router.get(
      '/handled/:id',
      async (ctx, next) => {
        try {
          await next();
        } catch (error) {
          ctx.status = 502;
          ctx.body = 'upstream failed';
          ctx.app.emit('error', error, ctx);
        }
      },
      () => {
        throw new Error('upstream failed');
      },
    );
    // Catches, reports, and throws on: Koa reports the same error again.
    router.get(
      '/rethrown/:id',
      async (ctx, next) => {
        try {
          await next();
        } catch (error) {
          ctx.app.emit('error', error, ctx);
          throw error;
        }
      },
      () => {
        throw new Error('rethrown');
      },
    );

    const items = new Router();
    items.get('/items/:itemId', (ctx) => {
      ctx.body = `item ${ctx.params.itemId}`;
    });
    const orders = new Router();
    orders.get('/orders/:orderId', (ctx) => {
      ctx.body = `order ${ctx.params.orderId}`;
    });
    const api = new Router({ prefix: '/api' });
    api.use(items.routes());
    api.use('/shop', orders.routes());

    app.use(router.routes());
    app.use(api.routes());
    app.use(router.allowedMethods());
    server = http.createServer(requestListener(app));
    base = await listen(server);
  });

  afterAll(async () => {
    undo();
    await close(server);
    await close(downstream);
  });

  it('names the entry span after the route template, with Koa as its component', async () => {
    expect(await get(`${base}/users/42`)).toEqual({ status: 200, body: '{"id":"42"}' });
    const { segment, entry } = await served(harness, '/users/42');
    expect(entrySpans(segment)).toHaveLength(1);
    expect(entry).toMatchObject({
      operationName: 'GET:/users/:id',
      componentId: KOA,
      spanLayer: SpanLayer.Http,
      isError: false,
    });
    expect(tagOf(entry, 'http.method')).toBe('GET');
    expect(tagOf(entry, 'http.status_code')).toBe('200');
    expect(tagOf(entry, 'http.url')).toBe(`${base}/users/42`);
  });

  it('includes router prefixes and the mount paths of nested routers', async () => {
    expect(await get(`${base}/api/items/7`)).toEqual({ status: 200, body: 'item 7' });
    expect(await get(`${base}/api/shop/orders/9`)).toEqual({ status: 200, body: 'order 9' });
    expect((await served(harness, '/api/items/7')).entry.operationName).toBe(
      'GET:/api/items/:itemId',
    );
    expect((await served(harness, '/api/shop/orders/9')).entry.operationName).toBe(
      'GET:/api/shop/orders/:orderId',
    );
  });

  it('names a request no route matched /<unmatched>, never by its path', async () => {
    expect(await get(`${base}/no/such/page-123`)).toEqual({ status: 404, body: 'Not Found' });
    const { entry } = await served(harness, '/no/such/page-123');
    expect(entry).toMatchObject({
      operationName: 'GET:/<unmatched>',
      componentId: KOA,
      isError: false,
    });
    expect(tagOf(entry, 'http.status_code')).toBe('404');
    const served404 = harness.sink.spans().filter((s) => s.spanType === SpanType.Entry);
    expect(served404.filter((s) => s.operationName.includes('page-123'))).toEqual([]);
  });

  it('marks a synchronously thrown error once, and Koa still answers and reports it', async () => {
    const before = appErrors.length;
    expect(await get(`${base}/boom`)).toEqual({ status: 500, body: 'Internal Server Error' });
    const { entry } = await served(harness, '/boom');
    expect(entry).toMatchObject({ operationName: 'GET:/boom', isError: true });
    expect(entry.logs).toHaveLength(1);
    expect(entry.logs[0]!.data).toEqual(
      expect.arrayContaining([
        { key: 'event', value: 'error' },
        { key: 'error.kind', value: 'Error' },
        { key: 'message', value: 'sync boom' },
      ]),
    );
    expect(appErrors.slice(before)).toEqual([expect.objectContaining({ message: 'sync boom' })]);
  });

  it('marks an error thrown after an await', async () => {
    expect(await get(`${base}/async-boom/1`)).toEqual({
      status: 500,
      body: 'Internal Server Error',
    });
    const { entry } = await served(harness, '/async-boom/1');
    expect(entry).toMatchObject({ operationName: 'GET:/async-boom/:id', isError: true });
    expect(entry.logs).toHaveLength(1);
    expect(tagOf({ ...entry, tags: entry.logs[0]!.data }, 'message')).toBe('async boom');
  });

  it('logs a client error (ctx.throw(403)) without marking the span as failed', async () => {
    expect(await get(`${base}/forbidden/3`)).toEqual({ status: 403, body: 'Forbidden' });
    const { entry } = await served(harness, '/forbidden/3');
    expect(entry).toMatchObject({ operationName: 'GET:/forbidden/:id', isError: false });
    expect(entry.logs).toHaveLength(1);
    expect(tagOf({ ...entry, tags: entry.logs[0]!.data }, 'error.kind')).toBe('ForbiddenError');
    expect(tagOf(entry, 'http.status_code')).toBe('403');
  });

  it('records an error that error-handling middleware reports through the app', async () => {
    expect(await get(`${base}/handled/1`)).toEqual({ status: 502, body: 'upstream failed' });
    const { entry } = await served(harness, '/handled/1');
    expect(entry).toMatchObject({ operationName: 'GET:/handled/:id', isError: true });
    expect(entry.logs).toHaveLength(1);
  });

  it('logs an error reported twice (by middleware, then by Koa) once', async () => {
    const before = appErrors.length;
    expect((await get(`${base}/rethrown/1`)).status).toBe(500);
    const { entry } = await served(harness, '/rethrown/1');
    expect(entry).toMatchObject({ operationName: 'GET:/rethrown/:id', isError: true });
    expect(entry.logs).toHaveLength(1);
    expect(appErrors.length - before).toBe(2);
  });

  it('names a request answered after a timer', async () => {
    expect(await get(`${base}/slow/5`)).toEqual({ status: 200, body: 'slow 5' });
    const { entry } = await served(harness, '/slow/5');
    expect(entry).toMatchObject({ operationName: 'GET:/slow/:id', componentId: KOA });
    expect(tagOf(entry, 'http.status_code')).toBe('200');
  });

  it('makes the fetch a handler awaits a child of the entry span, with the route as parent endpoint', async () => {
    await expectFetchUnderRoute(harness, base, {
      path: '/proxy/apples',
      remotePath: '/stock/apples',
      body: 'stock of /stock/apples',
      template: 'GET:/proxy/:name',
    });
  });

  it('names a streamed response and ends its span once the stream ended', async () => {
    await expectStreamedOnce(harness, base, '/stream/1', 'GET:/stream/:id');
  });

  it('ends the span of a request the client aborted once, as an error', async () => {
    await hang.abort(`${base}/hang/1`);
    const { segment, entry } = await served(harness, '/hang/1');
    expectAborted(segment, entry, 'GET:/hang/:id');
    // The handler carries on after the abort; nothing it does reports the request again.
    await hang.finished;
    expectReportedOnce(harness, segment);
  });

  it('never names a span by a raw path', () => {
    const entries = harness.sink
      .spans()
      .filter((s) => s.spanType === SpanType.Entry && s.componentId === KOA);
    const templates = new Set([
      'GET:/<unmatched>',
      'GET:/users/:id',
      'GET:/api/items/:itemId',
      'GET:/api/shop/orders/:orderId',
      'GET:/boom',
      'GET:/async-boom/:id',
      'GET:/forbidden/:id',
      'GET:/handled/:id',
      'GET:/rethrown/:id',
      'GET:/slow/:id',
      'GET:/proxy/:name',
      'GET:/stream/:id',
      'GET:/hang/:id',
    ]);
    expect(new Set(entries.map((e) => e.operationName))).toEqual(templates);
  });

  it('leaves Koa as it was after the undo', async () => {
    undo();
    const proto = KoaClass.prototype as unknown as Record<string, unknown>;
    expect(Object.hasOwn(proto, 'emit')).toBe(false);
    expect(await get(`${base}/users/77`)).toEqual({ status: 200, body: '{"id":"77"}' });
    const { entry } = await served(harness, '/users/77');
    expect(entry).toMatchObject({ operationName: 'GET:/users/77', componentId: 49 });
  });
});

describe('koa outside its supported range', () => {
  it('writes one diagnostic line and leaves Koa as it was', async () => {
    // The real Koa package, copied and labelled 3.0.0, with its own dependencies linked beside it.
    const dir = await tempDir('koa-range');
    try {
      const copy = copyPackage(dir.path, 'koa');
      const manifest = join(copy.packageDir, 'package.json');
      const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { version: string };
      writeFileSync(manifest, JSON.stringify({ ...pkg, version: '3.0.0' }));
      const harness = tracingHarness();
      const undo = koaInstrumentation.enable(harness.context);
      try {
        const Relabelled = copy.require('koa') as typeof Koa;
        expect(Object.hasOwn(Relabelled.prototype, 'emit')).toBe(false);
        const app = new Relabelled();
        app.use((ctx) => {
          ctx.body = 'still served';
        });
        const server = http.createServer(requestListener(app));
        const url = await listen(server);
        try {
          expect(await get(`${url}/x/1`)).toEqual({ status: 200, body: 'still served' });
        } finally {
          await close(server);
        }
        const { entry } = await served(harness, '/x/1');
        expect(entry.operationName).toBe('GET:/x/1');
        expect(harness.diagnostics).toHaveLength(1);
        expect(harness.diagnostics[0]).toContain("koa 3.0.0 is outside koa's supported range");
      } finally {
        undo();
      }
    } finally {
      await dir.remove();
    }
  });
});

describe('koa fixtures (CommonJS and ES module apps)', () => {
  const fixtures = fileURLToPath(new URL('../../test/fixtures/koa/', import.meta.url));

  it('reads the template a router other than @koa/router left in ctx._matchedRoute', async () => {
    const run = await runFixture(join(fixtures, 'own-router.cjs'), { plugins: ['koa'] });
    expect(run.code).toBe(0);
    expect(fixtureResults(run)).toEqual({
      '/articles/hello-world': '200 article hello-world',
      '/nothing/here': '404 Not Found',
    });
    const { entries } = fixtureEntries(run);
    expect(
      entries.map((e) => [
        tagOf(e, 'http.url')?.replace(/^.*:\d+/, ''),
        e.operationName,
        e.componentId,
      ]),
    ).toEqual(
      expect.arrayContaining([
        ['/articles/hello-world', 'GET:/articles/:slug', KOA],
        ['/nothing/here', 'GET:/<unmatched>', KOA],
      ]),
    );
    expect(entries).toHaveLength(2);
  });

  describe.each(nodeLines())('%s', (_label, node) => {
    it.each(['app.cjs', 'app.mjs'])(
      '%s reports route templates, errors and the fetch',
      async (file) => {
        const run = await runFixture(join(fixtures, file), {
          plugins: ['koa'],
          ...(node === undefined ? {} : { node }),
        });
        expect(withoutLoaderWarning(run.stderr)).toBe('');
        expect(run.code).toBe(0);
        expect(run.diagnostics).toEqual([]);
        expect(fixtureResults(run)).toEqual({
          '/users/42': '200 {"id":"42"}',
          '/api/items/7': '200 item 7',
          '/api/shop/orders/9': '200 order 9',
          '/missing/123': '404 Not Found',
          '/boom': '500 Internal Server Error',
          '/async-boom/1': '500 Internal Server Error',
          '/slow/1': '200 slow 1',
          '/proxy/pears': '200 stock of /stock/pears',
          '/stream/1': '200 chunk 0\nchunk 1\nchunk 2\n',
        });
        const { entries, byPath } = fixtureEntries(run, KOA);
        expectFixtureRoutes(byPath);
        expect(byPath('/api/shop/orders/9').operationName).toBe('GET:/api/shop/orders/:orderId');
        const proxy = byPath('/proxy/pears');
        const proxySegment = run.segments.find((s) => s.spans.includes(proxy))!;
        expect(proxySegment.spans.find((s) => s.spanType === SpanType.Exit)).toMatchObject({
          parentSpanId: proxy.spanId,
        });
        // Named when the route matched (the router's own hook, in the CommonJS or the ES module copy of @koa/router),
        // so the sw8 the fetch sent already carried the template as its parent endpoint.
        const stock = run.segments.find((s) =>
          s.spans.some(
            (span) =>
              span.spanType === SpanType.Entry && tagOf(span, 'http.url')?.endsWith('/stock/pears'),
          ),
        );
        expect(stock?.spans[0]!.refs[0]).toMatchObject({ parentEndpoint: 'GET:/proxy/:name' });
        expect(entries).toHaveLength(10);
      },
    );
  });
});
