import { writeFile } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { type SegmentObject, type SpanObject, SpanLayer, SpanType } from '@windsock/protocol';
import { tempDir } from '@windsock/test-servers';
import type Express from 'express';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { unwrapped } from '../hooks/wrap.js';
import { close, listen } from '../../test/helpers/http.js';
import { errorLogs, tagOf, tracingHarness } from '../../test/helpers/tracing.js';
import { expressInstrumentation } from './index.js';

// Express is required only after the instrumentation is enabled, as under `node -r windsock/register`.
const require = createRequire(import.meta.url);
type ExpressModule = typeof Express;
type Handler = Express.RequestHandler;

const harness = tracingHarness();
let undo: (() => void) | undefined;

beforeAll(() => {
  undo = expressInstrumentation.enable(harness.context);
});

afterAll(() => {
  undo?.();
  undo = undefined;
});

const EXPRESS_COMPONENT = 4002;

interface Found {
  span: SpanObject;
  segment: SegmentObject;
}

/** Waits for the entry span of the request to `path` (matched on its `http.url`). */
async function entryFor(base: string, path: string): Promise<Found> {
  return vi.waitFor(() => {
    const found = entriesFor(base, path);
    expect(found).toHaveLength(1);
    return found[0]!;
  });
}

function entriesFor(base: string, path: string): Found[] {
  return harness.sink.segments.flatMap((segment) =>
    segment.spans
      .filter((s) => s.spanType === SpanType.Entry && tagOf(s, 'http.url') === `${base}${path}`)
      .map((span) => ({ span, segment })),
  );
}

describe.each([
  { major: 4, pkg: 'express4' },
  { major: 5, pkg: 'express' },
])('Express $major', ({ major, pkg }) => {
  let app: Server | undefined;
  let backend: Server | undefined;
  let base = '';
  let backendBase = '';
  let statics: { path: string; remove(): Promise<void> } | undefined;
  const hanging = new Set<string>();
  const closed = new Set<string>();

  beforeAll(async () => {
    statics = await tempDir('express-static');
    await writeFile(join(statics.path, 'hello.txt'), 'hello from disk');
    backend = createServer((_req, res) => res.end('from the backend'));
    backendBase = await listen(backend);

    const express = require(pkg) as ExpressModule;
    const server = express();
    server.use('/static', express.static(statics.path));
    server.get('/users/:id', (req, res) => {
      res.json({ id: req.params.id });
    });
    server
      .route('/things/:thingId')
      .get((_req, res) => {
        res.send('got');
      })
      .post((_req, res) => {
        res.status(201).send('created');
      });
    server.get(['/a/:x', '/b/:x'], (_req, res) => {
      res.send('either');
    });
    server.get(/^\/re\/(\d+)$/, (_req, res) => {
      res.send('regexp');
    });

    const api = express.Router();
    const tenants = express.Router({ mergeParams: true });
    const v1 = express.Router();
    tenants.get('/projects/:projectId', (req, res) => {
      res.json(req.params);
    });
    v1.get('/ping', (_req, res) => {
      res.send('pong');
    });
    api.get('/', (_req, res) => {
      res.send('api root');
    });
    api.get('/items/:itemId', (req, res) => {
      res.json({ item: req.params.itemId });
    });
    api.use('/tenants/:tenantId', tenants);
    api.use('/v1', v1);
    api.get('/broken/:id', () => {
      throw new Error('broken in the api');
    });
    // The API's own error handler answers: the error is still the request's, logged once.
    api.use(((err: Error, _req, res, _next) => {
      res.status(503).send(`handled: ${err.message}`);
    }) as Express.ErrorRequestHandler);
    server.use('/api', api);
    // Reached only after the request left the `/api` mount without a match, and a middleware mount it passed.
    server.use('/api/legacy', (_req, _res, next) => {
      next();
    });
    server.get('/api/legacy/:id', (req, res) => {
      res.send(`legacy ${req.params.id}`);
    });

    // One router mounted at two places: its routes are one endpoint each, under both mounts.
    const shared = express.Router();
    shared.get('/things/:thingId', (req, res) => {
      res.send(`shared ${req.params.thingId}`);
    });
    server.use('/v1', shared);
    server.use('/v2', shared);

    const admin = express();
    admin.get('/stats/:day', (req, res) => {
      res.send(`stats of ${req.params.day}`);
    });
    server.use('/admin', admin);
    server.get(
      '/skip/:id',
      (_req, _res, next) => {
        next('route');
      },
      () => {
        throw new Error('never runs');
      },
    );
    server.get('/skip/:id', (_req, res) => {
      res.send('second route');
    });

    server.get('/fail/:id', () => {
      throw new Error('sync boom');
    });
    server.get('/next-error/:id', (_req, _res, next) => {
      next(new Error('passed to next'));
    });
    const asyncFailure: Handler =
      major === 5
        ? async () => {
            await Promise.resolve();
            throw new Error('async boom');
          }
        : // Express 4 ignores returned promises: an async handler passes its error to next itself.
          async (_req, _res, next) => {
            try {
              await Promise.resolve();
              throw new Error('async boom');
            } catch (error) {
              next(error);
            }
          };
    server.get('/async-fail/:id', asyncFailure);
    server.get('/later/:id', (req, res) => {
      setTimeout(() => {
        void fetch(`${backendBase}/data`)
          .then((r) => r.text())
          .then((text) => res.send(`${req.params.id}: ${text}`));
      }, 1);
    });
    server.get('/stream/:id', (_req, res) => {
      res.setHeader('content-type', 'text/plain');
      let left = 3;
      const write = () => {
        res.write(`chunk ${left}\n`);
        left -= 1;
        if (left === 0) res.end();
        else setImmediate(write);
      };
      write();
    });
    server.get('/hang/:id', (req, res) => {
      hanging.add(req.params.id);
      res.on('close', () => {
        closed.add(req.params.id);
        res.end();
      });
    });
    // Sees every error after the routes and passes it on: the same error, not logged again.
    server.use(((err, _req, _res, next) => {
      next(err);
    }) as Express.ErrorRequestHandler);

    app = createServer(server);
    base = await listen(app);
  });

  afterAll(async () => {
    await close(app);
    await close(backend);
    await statics?.remove();
  });

  async function get(path: string, method = 'GET'): Promise<{ status: number; body: string }> {
    const response = await fetch(`${base}${path}`, { method });
    return { status: response.status, body: await response.text() };
  }

  it('names the entry span after the route template, parameters included', async () => {
    expect(await get('/users/42')).toEqual({ status: 200, body: '{"id":"42"}' });
    const { span, segment } = await entryFor(base, '/users/42');
    expect(span).toMatchObject({
      operationName: 'GET:/users/:id',
      componentId: EXPRESS_COMPONENT,
      spanLayer: SpanLayer.Http,
      isError: false,
    });
    expect(tagOf(span, 'http.status_code')).toBe('200');
    // One entry span per request, whatever number of layers it went through.
    expect(segment.spans.filter((s) => s.spanType === SpanType.Entry)).toHaveLength(1);
    expect(segment.spans).toHaveLength(1);
  });

  it('names requests through app.route() by their method and template', async () => {
    expect(await get('/things/7', 'POST')).toEqual({ status: 201, body: 'created' });
    expect((await entryFor(base, '/things/7')).span.operationName).toBe('POST:/things/:thingId');
  });

  it('puts the templates of mounted and nested routers in front of the route', async () => {
    expect(await get('/api/items/9')).toEqual({ status: 200, body: '{"item":"9"}' });
    expect(await get('/api/tenants/t1/projects/p2')).toEqual({
      status: 200,
      body: '{"tenantId":"t1","projectId":"p2"}',
    });
    expect((await get('/api/v1/ping')).body).toBe('pong');
    expect((await get('/api')).body).toBe('api root');
    expect((await entryFor(base, '/api/items/9')).span.operationName).toBe(
      'GET:/api/items/:itemId',
    );
    const nested = await entryFor(base, '/api/tenants/t1/projects/p2');
    expect(nested.span).toMatchObject({
      operationName: 'GET:/api/tenants/:tenantId/projects/:projectId',
      componentId: EXPRESS_COMPONENT,
    });
    expect((await entryFor(base, '/api/v1/ping')).span.operationName).toBe('GET:/api/v1/ping');
    expect((await entryFor(base, '/api')).span.operationName).toBe('GET:/api');
  });

  it('names the routes of a router mounted at two places by both mounts', async () => {
    expect((await get('/v2/things/3')).body).toBe('shared 3');
    expect((await get('/v1/things/4')).body).toBe('shared 4');
    expect((await entryFor(base, '/v2/things/3')).span.operationName).toBe(
      'GET:[/v1,/v2]/things/:thingId',
    );
    expect((await entryFor(base, '/v1/things/4')).span.operationName).toBe(
      'GET:[/v1,/v2]/things/:thingId',
    );
  });

  it('puts the mount of a sub-application in front of its routes', async () => {
    expect(await get('/admin/stats/monday')).toEqual({ status: 200, body: 'stats of monday' });
    expect((await entryFor(base, '/admin/stats/monday')).span).toMatchObject({
      operationName: 'GET:/admin/stats/:day',
      componentId: EXPRESS_COMPONENT,
    });
  });

  it("takes next('route') as routing, not as an error", async () => {
    expect(await get('/skip/1')).toEqual({ status: 200, body: 'second route' });
    const { span } = await entryFor(base, '/skip/1');
    expect(span).toMatchObject({ operationName: 'GET:/skip/:id', isError: false });
    expect(span.logs).toEqual([]);
  });

  it('gives a mount its prefix back when the request leaves it', async () => {
    expect(await get('/api/legacy/4')).toEqual({ status: 200, body: 'legacy 4' });
    expect((await entryFor(base, '/api/legacy/4')).span.operationName).toBe('GET:/api/legacy/:id');
  });

  it('names array and RegExp routes by a template of the code, not by the path', async () => {
    expect((await get('/b/3')).body).toBe('either');
    expect((await get('/re/12345')).body).toBe('regexp');
    expect((await entryFor(base, '/b/3')).span.operationName).toBe('GET:[/a/:x,/b/:x]');
    expect((await entryFor(base, '/re/12345')).span.operationName).toBe(
      String.raw`GET:/^\/re\/(\d+)$/`,
    );
  });

  it('names a request no route matched METHOD:/<unmatched>, never its raw path', async () => {
    expect((await get('/no/such/page/123')).status).toBe(404);
    expect((await get('/users/42/x', 'DELETE')).status).toBe(404);
    expect((await entryFor(base, '/no/such/page/123')).span).toMatchObject({
      operationName: 'GET:/<unmatched>',
      componentId: EXPRESS_COMPONENT,
      isError: false,
    });
    expect((await entryFor(base, '/users/42/x')).span.operationName).toBe('DELETE:/<unmatched>');
  });

  it('counts static files served by middleware without a route as unmatched', async () => {
    expect(await get('/static/hello.txt')).toEqual({ status: 200, body: 'hello from disk' });
    const { span } = await entryFor(base, '/static/hello.txt');
    expect(span.operationName).toBe('GET:/<unmatched>');
    expect(tagOf(span, 'http.status_code')).toBe('200');
  });

  it('logs an error thrown by a handler once, and Express still answers with its 500 page', async () => {
    const response = await get('/fail/1');
    expect(response.status).toBe(500);
    expect(response.body).toContain('sync boom');
    const { span } = await entryFor(base, '/fail/1');
    expect(span).toMatchObject({ operationName: 'GET:/fail/:id', isError: true });
    const logs = errorLogs(span);
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({ 'error.kind': 'Error', message: 'sync boom' });
    expect(logs[0]!.stack).toContain('sync boom');
  });

  it('logs an error passed to next once, though several layers see it', async () => {
    expect((await get('/next-error/1')).status).toBe(500);
    const { span } = await entryFor(base, '/next-error/1');
    expect(span).toMatchObject({ operationName: 'GET:/next-error/:id', isError: true });
    expect(errorLogs(span)).toEqual([
      expect.objectContaining({ 'error.kind': 'Error', message: 'passed to next' }),
    ]);
  });

  it("logs an error the application's error handler answered", async () => {
    expect(await get('/api/broken/1')).toEqual({
      status: 503,
      body: 'handled: broken in the api',
    });
    const { span } = await entryFor(base, '/api/broken/1');
    expect(span).toMatchObject({ operationName: 'GET:/api/broken/:id', isError: true });
    expect(tagOf(span, 'http.status_code')).toBe('503');
    expect(errorLogs(span).map((l) => l.message)).toEqual(['broken in the api']);
  });

  it('logs the error of an async handler once', async () => {
    const response = await get('/async-fail/1');
    expect(response.status).toBe(500);
    expect(response.body).toContain('async boom');
    const { span } = await entryFor(base, '/async-fail/1');
    expect(span).toMatchObject({ operationName: 'GET:/async-fail/:id', isError: true });
    expect(errorLogs(span).map((l) => l.message)).toEqual(['async boom']);
  });

  it('keeps the context through a timer and an awaited fetch: the exit span is a child of the entry span', async () => {
    expect(await get('/later/5')).toEqual({ status: 200, body: '5: from the backend' });
    const { span, segment } = await entryFor(base, '/later/5');
    expect(span.operationName).toBe('GET:/later/:id');
    const exit = segment.spans.find((s) => s.spanType === SpanType.Exit);
    expect(exit).toBeDefined();
    expect(exit!.parentSpanId).toBe(span.spanId);
    expect(tagOf(exit!, 'http.url')).toBe(`${backendBase}/data`);
    // The backend's entry span continues the trace from that exit span, under the route's endpoint.
    const downstream = await entryFor(backendBase, '/data');
    expect(downstream.segment.traceId).toBe(segment.traceId);
    expect(downstream.span.refs[0]).toMatchObject({
      parentTraceSegmentId: segment.traceSegmentId,
      parentSpanId: exit!.spanId,
      parentEndpoint: 'GET:/later/:id',
    });
  });

  it('names a streamed response and ends its span once, when the stream ends', async () => {
    expect(await get('/stream/8')).toEqual({
      status: 200,
      body: 'chunk 3\nchunk 2\nchunk 1\n',
    });
    const { span } = await entryFor(base, '/stream/8');
    expect(span).toMatchObject({ operationName: 'GET:/stream/:id', isError: false });
    expect(tagOf(span, 'http.status_code')).toBe('200');
  });

  it('ends the span of a request the client aborted once, as an error', async () => {
    const client = request(`${base}/hang/${major}`);
    client.on('error', () => {
      // The abort below is the point of the test.
    });
    client.end();
    await vi.waitFor(() => expect(hanging.has(String(major))).toBe(true));
    client.destroy();
    await vi.waitFor(() => expect(closed.has(String(major))).toBe(true));
    const { span } = await entryFor(base, `/hang/${major}`);
    expect(span).toMatchObject({ operationName: 'GET:/hang/:id', isError: true });
    expect(span.logs.map((l) => l.data.find((d) => d.key === 'event')?.value)).toContain('aborted');
    // The handler's own res.end() after the close did not end or report it a second time.
    expect(entriesFor(base, `/hang/${major}`)).toHaveLength(1);
  });
});

describe('undo', () => {
  it('restores the routers and layers of both majors', async () => {
    undo?.();
    undo = undefined;
    const layer4 = require('express4/lib/router/layer.js') as {
      prototype: Record<string, unknown>;
    };
    const router4 = require('express4/lib/router/index.js') as Record<string, unknown>;
    const requireFromExpress5 = createRequire(require.resolve('express'));
    const layer5 = requireFromExpress5('router/lib/layer.js') as {
      prototype: Record<string, unknown>;
    };
    const router5 = requireFromExpress5('router') as { prototype: Record<string, unknown> };
    for (const fn of [
      layer4.prototype.handle_request,
      layer4.prototype.handle_error,
      router4.handle,
      router4.use,
      layer5.prototype.handleRequest,
      layer5.prototype.handleError,
      router5.prototype.handle,
      router5.prototype.use,
    ]) {
      expect(typeof fn).toBe('function');
      expect(unwrapped(fn)).toBe(fn);
    }

    // A request after the undo is core's alone: its raw path, the HTTP server's component.
    const express = require('express') as ExpressModule;
    const server = express();
    server.get('/users/:id', (_req, res) => {
      res.send('ok');
    });
    const app = createServer(server);
    const url = await listen(app);
    try {
      await (await fetch(`${url}/users/77`)).text();
      expect((await entryFor(url, '/users/77')).span).toMatchObject({
        operationName: 'GET:/users/77',
        componentId: 49,
      });
    } finally {
      await close(app);
    }
  });

  it('wrote no diagnostic line', () => {
    expect(harness.diagnostics).toEqual([]);
  });
});
