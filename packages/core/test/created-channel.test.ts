import diagnosticsChannel from 'node:diagnostics_channel';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer, tracerWithSink } from './helpers.js';

// Node >= 22.12 announces client requests on `http.client.request.created`; Node 20 does not, so core
// watches the ClientRequest constructor through an async_hooks fallback. These tests publish on the channel
// exactly as newer Node does, from a request that is still queued (so the fallback has not seen it yet), and check
// that core uses the channel and then retires the fallback.
const { tracer } = tracerWithSink();
let hanging: RunningServer;
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const requests: http.ClientRequest[] = [];

function request(options: http.RequestOptions): http.ClientRequest {
  const req = http.request({ host: '127.0.0.1', port: hanging.port, path: '/', ...options });
  req.on('error', () => {});
  requests.push(req);
  return req;
}

beforeAll(async () => {
  hanging = await startServer(() => {});
  tracer.enableHttpInstrumentation();
});

afterAll(async () => {
  tracer.disable();
  for (const req of requests) req.destroy();
  agent.destroy();
  await hanging.close();
});

// On a Node that publishes the channel itself, the fallback is retired by the first request anyone makes, and the
// channel path is what every other test of the HTTP client exercises.
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
const nodePublishesCreated =
  major > 23 || (major === 23 && minor >= 2) || (major === 22 && minor >= 12);

describe('http.client.request.created', () => {
  it.skipIf(nodePublishesCreated)(
    'is used when Node publishes it, and then the async_hooks fallback is retired',
    () => {
      const entry = tracer.startEntrySpan('job');
      tracer.withSpan(entry, () => {
        // Occupies the agent's only socket, so the next request waits in the agent's queue.
        const first = request({ agent, path: '/first' });
        expect(first.getHeader('sw8')).toEqual(expect.any(String)); // seen by the fallback
        const queued = request({ agent, path: '/queued' });
        expect(queued.getHeader('sw8')).toBeUndefined();

        diagnosticsChannel.channel('http.client.request.created').publish({ request: queued });
        expect(queued.getHeader('sw8')).toEqual(expect.any(String));

        // The fallback is gone: on this Node nothing announces a new request any more.
        const later = request({ agent: false, path: '/later' });
        expect(later.getHeader('sw8')).toBeUndefined();
      });
      entry.end();
    },
  );
});
