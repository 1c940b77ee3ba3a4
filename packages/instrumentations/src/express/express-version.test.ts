import { createServer } from 'node:http';
import { type AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { SpanType } from '@windsock/protocol';
import type Express from 'express';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { unwrapped } from '../hooks/wrap.js';
import { tagOf, tracingHarness } from '../../test/helpers/tracing.js';
import { enableExpress } from './index.js';

// The installed versions (express 4.22.3 and 5.3.0, router 2.3.0) checked against ranges that exclude them: the
// out-of-range path with the real packages.
const require = createRequire(import.meta.url);
const harness = tracingHarness();
let undo: () => void = () => {};

beforeAll(() => {
  undo = enableExpress(harness.context, {
    express: { name: 'express', versions: '>=5 <6' },
    router: { name: 'router', versions: '>=3 <4' },
  });
});

afterAll(() => undo());

describe('a version outside the supported range', () => {
  it('costs one diagnostic line per package and is left unpatched', async () => {
    const express4 = require('express4') as typeof Express;
    const express5 = require('express') as typeof Express;
    expect(harness.diagnostics).toEqual([
      expect.stringContaining(
        "express 4.22.3 is outside express's supported range >=5 <6: not instrumented",
      ),
      expect.stringContaining(
        "router 2.3.0 is outside express's supported range >=3 <4: not instrumented",
      ),
    ]);

    const layer4 = require('express4/lib/router/layer.js') as {
      prototype: Record<string, unknown>;
    };
    const router4 = require('express4/lib/router/index.js') as Record<string, unknown>;
    const fromExpress5 = createRequire(require.resolve('express'));
    const layer5 = fromExpress5('router/lib/layer.js') as { prototype: Record<string, unknown> };
    const router5 = fromExpress5('router') as { prototype: Record<string, unknown> };
    for (const fn of [
      layer4.prototype.handle_request,
      router4.handle,
      router4.use,
      layer5.prototype.handleRequest,
      router5.prototype.handle,
    ]) {
      expect(unwrapped(fn)).toBe(fn);
    }

    // Requests keep core's names: the raw path, the HTTP server's component.
    for (const [major, express] of [
      [4, express4],
      [5, express5],
    ] as const) {
      const app = express();
      app.get('/users/:id', (_req, res) => {
        res.send('ok');
      });
      const server = createServer(app);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      try {
        await (await fetch(`${base}/users/${major}`)).text();
        const span = await vi.waitFor(() => {
          const found = harness.sink
            .spans()
            .find(
              (s) =>
                tagOf(s, 'http.url') === `${base}/users/${major}` && s.spanType === SpanType.Entry,
            );
          expect(found).toBeDefined();
          return found!;
        });
        expect(span).toMatchObject({ operationName: `GET:/users/${major}`, componentId: 49 });
      } finally {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
    }
  });
});
