import { execFileSync } from 'node:child_process';
import {
  cpSync,
  readdirSync,
  readFileSync,
  realpathSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import http, { type IncomingMessage, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { type AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { type SegmentObject, SpanLayer, SpanType, type SpanObject } from '@windsock/protocol';
import { tempDir } from '@windsock/test-servers';
import type Fastify from 'fastify';
import { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runFixture } from '../../test/helpers/fixture.js';
import { tagOf, tracingHarness, type TracingHarness } from '../../test/helpers/tracing.js';
import { fastifyInstrumentation } from './index.js';

const require = createRequire(import.meta.url);
const HTTP_SERVER = 49;

/** The segment whose entry span served `path` (by its `http.url` tag), once it was reported. */
async function served(
  harness: TracingHarness,
  path: string,
): Promise<{ segment: SegmentObject; entry: SpanObject }> {
  return vi.waitFor(() => {
    const found = harness.sink.segments.filter((s) =>
      s.spans.some(
        (span) => span.spanType === SpanType.Entry && tagOf(span, 'http.url')?.endsWith(path),
      ),
    );
    expect(found).toHaveLength(1);
    const segment = found[0]!;
    return { segment, entry: segment.spans.find((s) => s.spanType === SpanType.Entry)! };
  });
}

function entrySpans(segment: SegmentObject): SpanObject[] {
  return segment.spans.filter((s) => s.spanType === SpanType.Entry);
}

function logged(span: SpanObject, key: string): string | undefined {
  return span.logs.flatMap((l) => l.data).find((d) => d.key === key)?.value;
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    }),
  );
}

async function start(app: FastifyInstance): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}

async function get(url: string): Promise<{ status: number; body: string }> {
  const response = await fetch(url);
  return { status: response.status, body: await response.text() };
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
  let hangStarted: () => void = () => {};
  let hangClosed: Promise<void> = Promise.resolve();
  let hangDone: () => void = () => {};
  let hangFinished: Promise<void> = Promise.resolve();

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
      hangClosed = new Promise((resolve) => reply.raw.once('close', resolve));
      hangStarted();
      await hangClosed;
      hangDone();
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
    await new Promise<void>((resolve) => {
      if (downstream === undefined) resolve();
      else downstream.close(() => resolve());
      downstream?.closeAllConnections();
    });
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
    expect(await get(`${base}/proxy/apples`)).toEqual({
      status: 200,
      body: 'stock of /stock/apples',
    });
    const { segment, entry } = await served(harness, '/proxy/apples');
    expect(entry.operationName).toBe('GET:/proxy/:name');
    const exit = segment.spans.find((s) => s.spanType === SpanType.Exit);
    expect(exit).toMatchObject({ parentSpanId: entry.spanId, componentId: 2 });
    const { segment: remote } = await served(harness, '/stock/apples');
    expect(remote.spans[0]!.refs[0]).toMatchObject({
      parentTraceSegmentId: segment.traceSegmentId,
      parentSpanId: exit!.spanId,
      parentEndpoint: 'GET:/proxy/:name',
    });
  });

  it('names a streamed response and ends its span once the stream ended', async () => {
    expect(await get(`${base}/stream/1`)).toEqual({
      status: 200,
      body: 'chunk 0\nchunk 1\nchunk 2\n',
    });
    const { segment, entry } = await served(harness, '/stream/1');
    expect(entrySpans(segment)).toHaveLength(1);
    expect(entry).toMatchObject({ operationName: 'GET:/stream/:id', isError: false });
  });

  it('ends the span of a request the client aborted once, as an error', async () => {
    const started = new Promise<void>((resolve) => {
      hangStarted = resolve;
    });
    hangFinished = new Promise<void>((resolve) => {
      hangDone = resolve;
    });
    const request = http.get(`${base}/hang/1`);
    request.on('error', () => {});
    request.on('response', (response: IncomingMessage) => response.resume());
    await started;
    request.destroy();
    await hangClosed;
    await hangFinished;
    const { segment, entry } = await served(harness, '/hang/1');
    expect(entrySpans(segment)).toHaveLength(1);
    expect(entry).toMatchObject({ operationName: 'GET:/hang/:id', isError: true });
    expect(logged(entry, 'event')).toBe('aborted');
    const reported = harness.sink.segments.filter(
      (s) => s.traceId === segment.traceId && entrySpans(s).length > 0,
    );
    expect(reported).toHaveLength(1);
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
      const real = realpathSync(dirname(require.resolve('fastify/package.json')));
      const modules = join(dir.path, 'node_modules');
      cpSync(real, join(modules, 'fastify'), { recursive: true, dereference: true });
      const main = join(modules, 'fastify', 'fastify.js');
      writeFileSync(
        main,
        readFileSync(main, 'utf8').replace(/const VERSION = '[^']+'/, "const VERSION = '4.29.0'"),
      );
      for (const dep of readdirSync(dirname(real))) {
        if (dep !== 'fastify') symlinkSync(join(dirname(real), dep), join(modules, dep));
      }
      const harness = tracingHarness();
      const undo = fastifyInstrumentation.enable(harness.context);
      try {
        const relabelled = createRequire(join(dir.path, 'app.js'))('fastify') as typeof Fastify;
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

// Node 20 initializes import-in-the-middle's loader twice when it is registered from a `-r` preload and warns about
// it; the preload's concern, not the app's output.
function withoutLoaderWarning(stderr: string): string {
  return stderr
    .split('\n')
    .filter(
      (line) =>
        !/import-in-the-middle' hook has already been initialized|--trace-warnings/.test(line),
    )
    .join('\n')
    .trim();
}

describe('fastify fixtures (CommonJS and ES module apps)', () => {
  const fixtures = fileURLToPath(new URL('../../test/fixtures/fastify/', import.meta.url));
  const nodes: [string, string | undefined][] = [
    [process.version, undefined],
    ...['22', '24', '26'].map((major): [string, string] => {
      const binary = execFileSync('bash', [
        fileURLToPath(new URL('../../../../tooling/node-versions/install.sh', import.meta.url)),
        major,
      ])
        .toString()
        .trim();
      return [`node ${major}`, binary];
    }),
  ];

  describe.each(nodes)('%s', (_label, node) => {
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
        const results = JSON.parse(/RESULTS (.*)/.exec(run.stdout)![1]!) as Record<string, string>;
        expect(results).toEqual({
          '/users/42': '200 {"id":"42"}',
          '/api/items/7': '200 item 7',
          '/missing/123': '404',
          '/boom': '500',
          '/async-boom/1': '500',
          '/slow/1': '200 slow 1',
          '/proxy/pears': '200 stock of /stock/pears',
          '/stream/1': '200 chunk 0\nchunk 1\nchunk 2\n',
        });
        const entries = run.segments.flatMap((s) =>
          s.spans.filter((span) => span.spanType === SpanType.Entry),
        );
        const byPath = (path: string): SpanObject => {
          const found = entries.filter((e) => tagOf(e, 'http.url')?.endsWith(path));
          expect(found, path).toHaveLength(1);
          return found[0]!;
        };
        expect(byPath('/users/42').operationName).toBe('GET:/users/:id');
        expect(byPath('/api/items/7').operationName).toBe('GET:/api/items/:itemId');
        expect(byPath('/missing/123').operationName).toBe('GET:/<unmatched>');
        expect(byPath('/boom')).toMatchObject({ operationName: 'GET:/boom', isError: true });
        expect(byPath('/boom').logs).toHaveLength(1);
        expect(byPath('/async-boom/1')).toMatchObject({
          operationName: 'GET:/async-boom/:id',
          isError: true,
        });
        expect(byPath('/slow/1').operationName).toBe('GET:/slow/:id');
        expect(byPath('/stream/1').operationName).toBe('GET:/stream/:id');
        expect(byPath('/hang/1')).toMatchObject({
          operationName: 'GET:/hang/:id',
          isError: true,
        });
        const proxy = byPath('/proxy/pears');
        expect(proxy.operationName).toBe('GET:/proxy/:name');
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
