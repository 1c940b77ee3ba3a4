import { readFileSync, writeFileSync } from 'node:fs';
import http, { type Server } from 'node:http';
import { createRequire } from 'node:module';
import { type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { SpanLayer, SpanType } from '@windsock/protocol';
import { tempDir } from '@windsock/test-servers';
import type Fastify from 'fastify';
import { type FastifyInstance } from 'fastify';
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
  logged,
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
import { fastifyInstrumentation } from './index.js';

const require = createRequire(import.meta.url);
const HTTP_SERVER = 49;

async function start(app: FastifyInstance): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}

function statusError(message: string, statusCode: number): Error {
  return Object.assign(new Error(message), { statusCode });
}

describe('fastify instrumentation', () => {
  let harness: TracingHarness;
  let undo: () => void;
  let downstream: Server | undefined;
  let app: FastifyInstance | undefined;
  let early: FastifyInstance | undefined;
  let base: string;
  let earlyBase: string;
  const hang = new HangingRequest();

  beforeAll(async () => {
    harness = tracingHarness();
    const fastify = require('fastify') as typeof Fastify;
    // Created before the instrumentation is enabled: only the handler channel can name its requests.
    early = fastify();
    early.get('/orders/:orderId', (request) => ({
      order: (request.params as { orderId: string }).orderId,
    }));
    early.get('/early-boom', async () => {
      await nextTurn();
      throw new Error('early boom');
    });

    undo = fastifyInstrumentation.enable(harness.context);

    downstream = http.createServer((request, response) => {
      response.end(`stock of ${request.url}`);
    });
    const downstreamBase = await listen(downstream);

    app = fastify();
    app.addHook('onRequest', (request, reply, done) => {
      if (!request.url.startsWith('/private/')) return done();
      reply.code(401);
      done(new Error('no credentials'));
    });
    app.get('/users/:id', (request) => ({ id: (request.params as { id: string }).id }));
    app.get('/boom', () => {
      throw new Error('sync boom');
    });
    app.get('/async-boom/:id', async () => {
      await nextTurn();
      throw new Error('async boom');
    });
    app.get('/forbidden/:id', async () => {
      await nextTurn();
      throw statusError('not yours', 403);
    });
    app.get('/private/:id', () => 'never');
    app.get(
      '/search',
      {
        schema: {
          querystring: { type: 'object', required: ['q'], properties: { q: { type: 'string' } } },
        },
      },
      () => 'found',
    );
    app.get('/slow/:id', async (request) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      return `slow ${(request.params as { id: string }).id}`;
    });
    app.get('/proxy/:name', async (request) => {
      const response = await fetch(
        `${downstreamBase}/stock/${(request.params as { name: string }).name}`,
      );
      return response.text();
    });
    app.get('/stream/:id', (_request, reply) => {
      reply.type('text/plain').send(
        Readable.from(
          (async function* chunks() {
            for (let i = 0; i < 3; i++) {
              await nextTurn();
              yield `chunk ${i}\n`;
            }
          })(),
        ),
      );
    });
    app.get('/hang/:id', async (_request, reply) => {
      await hang.hold(reply.raw);
      hang.end();
      return 'too late';
    });
    await app.register(
      async (api) => {
        api.get('/health', () => 'ok');
        await api.register(
          (items, _options, done) => {
            items.get('/:itemId', (request) => {
              return `item ${(request.params as { itemId: string }).itemId}`;
            });
            done();
          },
          { prefix: '/items' },
        );
      },
      { prefix: '/api' },
    );
    base = await start(app);
    earlyBase = await start(early);
  });

  afterAll(async () => {
    undo();
    await app?.close();
    await early?.close();
    await close(downstream);
  });

  it('names the entry span after the route template and keeps the HTTP server component', async () => {
    expect(await get(`${base}/users/42`)).toEqual({ status: 200, body: '{"id":"42"}' });
    const { segment, entry } = await served(harness, '/users/42');
    expect(entrySpans(segment)).toHaveLength(1);
    expect(entry).toMatchObject({
      operationName: 'GET:/users/:id',
      componentId: HTTP_SERVER,
      spanLayer: SpanLayer.Http,
      isError: false,
    });
    expect(tagOf(entry, 'http.status_code')).toBe('200');
  });

  it('includes the prefixes of registered plugins', async () => {
    expect(await get(`${base}/api/items/7`)).toEqual({ status: 200, body: 'item 7' });
    expect(await get(`${base}/api/health`)).toEqual({ status: 200, body: 'ok' });
    expect((await served(harness, '/api/items/7')).entry.operationName).toBe(
      'GET:/api/items/:itemId',
    );
    expect((await served(harness, '/api/health')).entry.operationName).toBe('GET:/api/health');
  });

  it('names a request no route matched /<unmatched>, never by its path', async () => {
    const answer = await get(`${base}/no/such/page-123`);
    expect(answer.status).toBe(404);
    expect(JSON.parse(answer.body)).toMatchObject({
      message: 'Route GET:/no/such/page-123 not found',
    });
    const { entry } = await served(harness, '/no/such/page-123');
    expect(entry).toMatchObject({ operationName: 'GET:/<unmatched>', isError: false });
    expect(tagOf(entry, 'http.status_code')).toBe('404');
  });

  it('marks a synchronously thrown error once, and Fastify still answers it', async () => {
    const answer = await get(`${base}/boom`);
    expect(answer.status).toBe(500);
    expect(JSON.parse(answer.body)).toMatchObject({ message: 'sync boom' });
    const { entry } = await served(harness, '/boom');
    expect(entry).toMatchObject({ operationName: 'GET:/boom', isError: true });
    expect(entry.logs).toHaveLength(1);
    expect(logged(entry, 'message')).toBe('sync boom');
    expect(logged(entry, 'error.kind')).toBe('Error');
  });

  it('marks an error thrown after an await once', async () => {
    expect((await get(`${base}/async-boom/1`)).status).toBe(500);
    const { entry } = await served(harness, '/async-boom/1');
    expect(entry).toMatchObject({ operationName: 'GET:/async-boom/:id', isError: true });
    expect(entry.logs).toHaveLength(1);
    expect(logged(entry, 'message')).toBe('async boom');
  });

  it('logs an error answered with a 4xx without marking the span as failed', async () => {
    expect((await get(`${base}/forbidden/3`)).status).toBe(403);
    const { entry } = await served(harness, '/forbidden/3');
    expect(entry).toMatchObject({ operationName: 'GET:/forbidden/:id', isError: false });
    expect(entry.logs).toHaveLength(1);
    expect(logged(entry, 'message')).toBe('not yours');
  });

  it('names and logs a request an onRequest hook of the app refused', async () => {
    expect((await get(`${base}/private/9`)).status).toBe(401);
    const { entry } = await served(harness, '/private/9');
    expect(entry).toMatchObject({ operationName: 'GET:/private/:id', isError: false });
    expect(logged(entry, 'message')).toBe('no credentials');
  });

  it('names and logs a request that failed validation', async () => {
    expect((await get(`${base}/search?x=1`)).status).toBe(400);
    const { entry } = await served(harness, '/search');
    expect(entry).toMatchObject({ operationName: 'GET:/search', isError: false });
    expect(entry.logs).toHaveLength(1);
    expect(logged(entry, 'message')).toContain("must have required property 'q'");
  });

  it('names a request answered after a timer', async () => {
    expect(await get(`${base}/slow/5`)).toEqual({ status: 200, body: 'slow 5' });
    expect((await served(harness, '/slow/5')).entry.operationName).toBe('GET:/slow/:id');
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
    await hang.finished;
    const { segment, entry } = await served(harness, '/hang/1');
    expectAborted(segment, entry, 'GET:/hang/:id');
    expect(logged(entry, 'event')).toBe('aborted');
    expectReportedOnce(harness, segment);
  });

  it('names the routes of an instance created before it was enabled, through the handler channel', async () => {
    expect(await get(`${earlyBase}/orders/5`)).toEqual({ status: 200, body: '{"order":"5"}' });
    expect((await get(`${earlyBase}/early-boom`)).status).toBe(500);
    expect((await served(harness, '/orders/5')).entry.operationName).toBe('GET:/orders/:orderId');
    const { entry } = await served(harness, '/early-boom');
    expect(entry).toMatchObject({ operationName: 'GET:/early-boom', isError: true });
    expect(entry.logs).toHaveLength(1);
  });

  it('unsubscribes on undo; its hooks then pass requests through untouched', async () => {
    undo();
    expect(await get(`${base}/users/77`)).toEqual({ status: 200, body: '{"id":"77"}' });
    const { entry } = await served(harness, '/users/77');
    expect(entry.operationName).toBe('GET:/users/77');
  });
});

describe('fastify outside its supported range', () => {
  it('writes one diagnostic line and adds no hooks', async () => {
    // The real Fastify package, copied and labelled 4.29.0, with its own dependencies linked beside it.
    const dir = await tempDir('fastify-range');
    try {
      const copy = copyPackage(dir.path, 'fastify');
      const main = join(copy.packageDir, 'fastify.js');
      writeFileSync(
        main,
        readFileSync(main, 'utf8').replace(/const VERSION = '[^']+'/, "const VERSION = '4.29.0'"),
      );
      const harness = tracingHarness();
      const undo = fastifyInstrumentation.enable(harness.context);
      try {
        const relabelled = copy.require('fastify') as typeof Fastify;
        const app = relabelled();
        expect(app.version).toBe('4.29.0');
        app.get('/x/:id', () => 'still served');
        const url = await start(app);
        try {
          expect(await get(`${url}/x/1`)).toEqual({ status: 200, body: 'still served' });
          expect((await get(`${url}/nope/1`)).status).toBe(404);
        } finally {
          await app.close();
        }
        // No onRequest hook was added: nothing named the not-found request.
        expect((await served(harness, '/nope/1')).entry.operationName).toBe('GET:/nope/1');
        expect(harness.diagnostics).toHaveLength(1);
        expect(harness.diagnostics[0]).toContain(
          "fastify 4.29.0 is outside fastify's supported range",
        );
      } finally {
        undo();
      }
    } finally {
      await dir.remove();
    }
  });
});

describe('fastify fixtures (CommonJS and ES module apps)', () => {
  const fixtures = fileURLToPath(new URL('../../test/fixtures/fastify/', import.meta.url));
  describe.each(nodeLines())('%s', (_label, node) => {
    it.each(['app.cjs', 'app.mjs'])(
      '%s reports route templates, errors and the fetch',
      async (file) => {
        const run = await runFixture(join(fixtures, file), {
          plugins: ['fastify'],
          ...(node === undefined ? {} : { node }),
        });
        expect(withoutLoaderWarning(run.stderr)).toBe('');
        expect(run.code).toBe(0);
        expect(run.diagnostics).toEqual([]);
        expect(fixtureResults(run)).toEqual({
          '/users/42': '200 {"id":"42"}',
          '/api/items/7': '200 item 7',
          '/missing/123': '404',
          '/boom': '500',
          '/async-boom/1': '500',
          '/slow/1': '200 slow 1',
          '/proxy/pears': '200 stock of /stock/pears',
          '/stream/1': '200 chunk 0\nchunk 1\nchunk 2\n',
        });
        const { entries, byPath } = fixtureEntries(run);
        expectFixtureRoutes(byPath);
        const proxy = byPath('/proxy/pears');
        const proxySegment = run.segments.find((s) => s.spans.includes(proxy))!;
        expect(proxySegment.spans.find((s) => s.spanType === SpanType.Exit)).toMatchObject({
          parentSpanId: proxy.spanId,
        });
        expect(byPath('/stock/pears').refs[0]).toMatchObject({
          parentEndpoint: 'GET:/proxy/:name',
        });
        for (const entry of entries) {
          if (entry === byPath('/stock/pears')) continue;
          expect(entry.componentId).toBe(HTTP_SERVER);
          expect(entry.operationName).not.toMatch(/\d/);
        }
      },
    );
  });
});
