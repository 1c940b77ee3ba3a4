import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { httpGet, type RunningServer, startServer, tracerWithSink, WAIT } from './helpers.js';

const { tracer, sink } = tracerWithSink({ disabledPlugins: ['http-server', 'fetch'] });
let server: RunningServer;
const received: (string | undefined)[] = [];

beforeAll(async () => {
  server = await startServer((req, res) => {
    received.push(req.headers.sw8 as string | undefined);
    res.end();
  });
  tracer.enableHttpInstrumentation();
});

afterAll(async () => {
  tracer.disable();
  await server.close();
});

describe('disabledPlugins', () => {
  it('leaves the named instrumentations off and the others on', async () => {
    const entry = tracer.startEntrySpan('job');
    await tracer.withSpan(entry, async () => {
      await httpGet(`${server.url}/by-http`);
      await (await fetch(`${server.url}/by-fetch`)).text();
    });
    entry.end();
    await vi.waitFor(() => expect(sink.segments).toHaveLength(1), WAIT);
    // Only the job: no server entry spans, and fetch neither traced nor propagated.
    expect(sink.segments[0]!.spans.map((s) => s.operationName)).toEqual(['job', '/by-http']);
    expect(received.map((h) => h !== undefined)).toEqual([true, false]);
  });
});
