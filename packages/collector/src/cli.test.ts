import { ManagementServiceDefinition } from '@windsock/protocol';
import { describe, expect, it } from 'vitest';
import { AgentClient } from '../test/agent-client.js';
import { runChild } from '../test/child.js';

const banner = /gRPC on (\S+), control API on (\S+)\n/;

describe('windsock-collector CLI', () => {
  it('serves gRPC and the control API, and exits cleanly on SIGTERM', async () => {
    let checks: Promise<unknown> | undefined;
    const result = await runChild(
      ['src/cli.ts', '--port', '0', '--control-port', '0', '--token', 't'],
      {
        onStdout: (stdout, child) => {
          const match = banner.exec(stdout);
          if (match === null || checks !== undefined) return;
          const [, address, controlUrl] = match;
          checks = (async () => {
            const client = new AgentClient(address!, { metadata: { authentication: 't' } });
            try {
              await client.unary(ManagementServiceDefinition.keepAlive, {
                service: 'cli',
                serviceInstance: 'cli-1',
                layer: '',
              });
            } finally {
              client.close();
            }
            const counts = (await (await fetch(`${controlUrl}/counts`)).json()) as {
              keepAlives: number;
            };
            return counts.keepAlives;
          })().finally(() => child.kill('SIGTERM'));
        },
      },
    );
    await expect(checks).resolves.toBe(1);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/stopped\n$/);
  });

  it('prints usage for --help and exits 2 on a bad option', async () => {
    const help = await runChild(['src/cli.ts', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--control-port/);
    const bad = await runChild(['src/cli.ts', '--port', 'eleven']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--port must be a port number/);
  });
});
