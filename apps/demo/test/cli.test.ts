// `pnpm dev` from a user's point of view: its help, and one readable line (no stack trace) for a port in use.
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_ROOT } from '../src/supervisor.js';

function runDemo(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/main.ts', ...args],
      { cwd: DEMO_ROOT, timeout: 60_000, env: { ...process.env, DEMO_WATCH: '0' } },
      (error, stdout, stderr) => {
        resolve({
          code: error === null ? 0 : ((error as { code?: number }).code ?? null),
          stdout,
          stderr,
        });
      },
    );
  });
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

async function occupiedPort(): Promise<number> {
  const server = createServer();
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}

describe('the demo command line', () => {
  it('prints its options with --help', async () => {
    const { code, stdout } = await runDemo(['--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('--collector-port');
    expect(stdout).toContain('SW_AGENT_COLLECTOR_BACKEND_SERVICES');
  });

  it('says in one line which port is taken and how to change it', async () => {
    const port = await occupiedPort();
    const { code, stderr } = await runDemo([
      '--collector-port',
      String(port),
      '--control-port',
      '0',
    ]);
    expect(code).toBe(1);
    expect(stderr.trim()).toBe(
      `windsock demo: the embedded collector (gRPC) cannot listen on 127.0.0.1:${port}: the port is already in use (use --collector-port or DEMO_COLLECTOR_PORT)`,
    );
  });

  it('rejects a bad flag in one line', async () => {
    const { code, stderr } = await runDemo(['--rate', 'lots']);
    expect(code).toBe(1);
    expect(stderr.trim()).toBe(
      'windsock demo: --rate=lots: expected requests per second from 0 to 2000',
    );
  });
});
