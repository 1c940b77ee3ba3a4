import { channel } from 'node:diagnostics_channel';
import type http from 'node:http';
import { describe, expect, it } from 'vitest';
import { start } from './floor.js';
import { runWorkloadUnder } from './run-under-agent.js';

describe('the floor agent', () => {
  it('puts its header on every request of the workload, the load loop and the call to /b', async () => {
    const agent = await start({ serviceName: 'bench', collector: '' });
    const seen: { url: string; header: string | undefined }[] = [];
    const onStart = (message: unknown) => {
      const { request } = message as { request: http.IncomingMessage };
      seen.push({ url: request.url ?? '', header: request.headers['x-floor'] as string });
    };
    channel('http.server.request.start').subscribe(onStart);
    try {
      const result = await runWorkloadUnder(agent, 6);
      expect(result).toMatchObject({ requests: 6, errors: 0 });
    } finally {
      channel('http.server.request.start').unsubscribe(onStart);
    }
    expect(seen.filter(({ url }) => url === '/a')).toHaveLength(6);
    expect(seen.filter(({ url }) => url === '/b')).toHaveLength(6);
    for (const { header } of seen) expect(header).toHaveLength(185);
  });
});
