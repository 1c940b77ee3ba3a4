import { SpanType } from '@windsock/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { type AgentApp, startAgentApp, tagOf } from './helpers/agent-app.js';

// Koa apps with @koa/router under the real agent, reporting to the collector: the endpoints OAP gets are route
// templates, with Koa's component id (4004).
const REQUESTS = [
  { path: '/users/1', endpoint: 'GET:/users/:id', status: 200 },
  { path: '/users/2', endpoint: 'GET:/users/:id', status: 200 },
  { path: '/api/items/3', endpoint: 'GET:/api/items/:itemId', status: 200 },
  { path: '/api/items/4', endpoint: 'GET:/api/items/:itemId', status: 200 },
  { path: '/fail/5', endpoint: 'GET:/fail/:id', status: 500 },
  { path: '/no/such/page/6', endpoint: 'GET:/<unmatched>', status: 404 },
];

let app: AgentApp | undefined;

afterEach(async () => {
  await app?.stop();
  app = undefined;
});

describe.each([
  { name: 'CommonJS', fixture: 'koa/app.cjs' },
  { name: 'ES module', fixture: 'koa/app.mjs' },
])('Koa 2, $name', ({ fixture }) => {
  it('reports entry spans named by route template, component Koa, never by raw path', async () => {
    app = await startAgentApp(fixture);
    const port = (await app.line(/listening on (\d+)/))[1]!;
    const base = `http://127.0.0.1:${port}`;
    for (const { path, status } of REQUESTS) {
      const response = await fetch(`${base}${path}`);
      await response.text();
      expect(response.status).toBe(status);
    }
    const entries = () => app!.spans().filter(({ span }) => span.spanType === SpanType.Entry);
    await app.collector.waitFor(() => entries().length >= REQUESTS.length, 30_000);

    const reported = entries();
    expect(reported).toHaveLength(REQUESTS.length);
    for (const { path, endpoint, status } of REQUESTS) {
      const found = reported.filter(({ span }) => tagOf(span, 'http.url') === `${base}${path}`);
      expect(found).toHaveLength(1);
      expect(found[0]!.span).toMatchObject({
        operationName: endpoint,
        componentId: 4004,
        spanLayer: 3,
        isError: status >= 500,
      });
      expect(tagOf(found[0]!.span, 'http.status_code')).toBe(String(status));
    }
    const failed = reported.find(({ span }) => span.operationName === 'GET:/fail/:id')!.span;
    expect(failed.logs).toHaveLength(1);
    expect(failed.logs[0]!.data).toContainEqual({ key: 'message', value: 'handler failed' });
    // No endpoint carries an id from a path.
    expect(reported.filter(({ span }) => /\d/.test(span.operationName))).toEqual([]);
  });
});
