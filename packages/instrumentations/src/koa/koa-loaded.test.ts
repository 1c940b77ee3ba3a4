import http, { type Server } from 'node:http';
import { createRequire } from 'node:module';
import { type AddressInfo } from 'node:net';
import type KoaRouter from '@koa/router';
import { SpanType } from '@windsock/protocol';
import type Koa from 'koa';
import { afterAll, expect, it, vi } from 'vitest';
import { tagOf, tracingHarness } from '../../test/helpers/tracing.js';
import { koaInstrumentation } from './index.js';

// Its own file, so that Koa and @koa/router are loaded here before the instrumentation is enabled, as when an app
// requires them and then calls `start()`.
const require = createRequire(import.meta.url);
const KoaClass = require('koa') as typeof Koa;
const Router = require('@koa/router') as typeof KoaRouter;

let server: Server | undefined;
let undo: (() => void) | undefined;

afterAll(async () => {
  undo?.();
  server?.closeAllConnections();
  await new Promise<void>((resolve) =>
    server === undefined ? resolve() : server.close(() => resolve()),
  );
});

it('names the routes of an app created before it was enabled', async () => {
  const app = new KoaClass();
  const router = new Router({ prefix: '/shop' });
  router.get('/carts/:cartId', (ctx) => {
    ctx.body = `cart ${ctx.params.cartId}`;
  });
  app.use(router.routes());
  const callback = app.callback();
  server = http.createServer((request, response) => void callback(request, response));
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const harness = tracingHarness();
  undo = koaInstrumentation.enable(harness.context);
  const answers = [];
  for (const path of ['/shop/carts/12', '/elsewhere/12']) {
    const response = await fetch(`${base}${path}`);
    answers.push(`${response.status} ${await response.text()}`);
  }
  expect(answers).toEqual(['200 cart 12', '404 Not Found']);

  const entries = await vi.waitFor(() => {
    const found = harness.sink.spans().filter((s) => s.spanType === SpanType.Entry);
    expect(found).toHaveLength(2);
    return found;
  });
  const byPath = (path: string) => entries.find((e) => tagOf(e, 'http.url')?.endsWith(path));
  expect(byPath('/shop/carts/12')).toMatchObject({
    operationName: 'GET:/shop/carts/:cartId',
    componentId: 4004,
  });
  expect(byPath('/elsewhere/12')).toMatchObject({ operationName: 'GET:/<unmatched>' });
  expect(harness.diagnostics).toEqual([]);
});
