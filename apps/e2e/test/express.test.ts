import { SpanType } from '@windsock/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { type AgentApp, startAgentApp, tagOf } from './helpers/agent-app.js';

// Express apps under the real agent, reporting to the collector: the endpoints OAP gets are route templates.
const REQUESTS = [
  { path: '/users/1', endpoint: 'GET:/users/:id', status: 200 },
  { path: '/users/2', endpoint: 'GET:/users/:id', status: 200 },
  { path: '/api/users/3/orders/4', endpoint: 'GET:/api/users/:id/orders/:orderId', status: 200 },
  { path: '/api/users/5/orders/6', endpoint: 'GET:/api/users/:id/orders/:orderId', status: 200 },
  { path: '/no/such/page/7', endpoint: 'GET:/<unmatched>', status: 404 },
];

let app: AgentApp | undefined;

afterEach(async () => {
  await app?.stop();
  app = undefined;
});

describe.each([
  { name: 'Express 5, ES module', fixture: 'express/app5.mjs' },
  { name: 'Express 4, CommonJS', fixture: 'express/app4.cjs' },
])('$name', ({ fixture }) => {
  it('reports entry spans named by route template, component Express, never by raw path', async () => {
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
    for (const { path, endpoint } of REQUESTS) {
      const found = reported.filter(({ span }) => tagOf(span, 'http.url') === `${base}${path}`);
      expect(found).toHaveLength(1);
      expect(found[0]!.span).toMatchObject({
        operationName: endpoint,
        componentId: 4002,
        spanLayer: 3,
      });
      expect(tagOf(found[0]!.span, 'http.status_code')).toBe(
        String(REQUESTS.find((r) => r.path === path)!.status),
      );
    }
    // No endpoint carries an id from a path.
    expect(reported.filter(({ span }) => /\d/.test(span.operationName))).toEqual([]);
  });
});
