import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DemoError, freePort, listen } from './listen.js';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

function track(server: Server): Server {
  servers.push(server);
  return server;
}

describe('listen', () => {
  it('resolves with the port it bound (0: a free one)', async () => {
    const port = await listen(track(createServer()), {
      what: 'the dashboard',
      host: '127.0.0.1',
      port: 0,
      hint: 'use --port',
    });
    expect(port).toBeGreaterThan(0);
  });

  it('finds a free port that a server can then listen on', async () => {
    const port = await freePort('127.0.0.1', 'use --inventory-port');
    const hint = 'use --inventory-port';
    expect(
      await listen(track(createServer()), { what: 'inventory', host: '127.0.0.1', port, hint }),
    ).toBe(port);
  });

  it('turns a port in use into one line naming the setting to change', async () => {
    const port = await listen(track(createServer()), {
      what: 'first',
      host: '127.0.0.1',
      port: 0,
      hint: '',
    });
    const second = track(createServer());
    const error = await listen(second, {
      what: 'the dashboard',
      host: '127.0.0.1',
      port,
      hint: 'use --port or DEMO_PORT',
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DemoError);
    expect((error as Error).message).toBe(
      `the dashboard cannot listen on 127.0.0.1:${port}: the port is already in use (use --port or DEMO_PORT)`,
    );
    expect((error as Error).message).not.toContain('\n');
  });
});
