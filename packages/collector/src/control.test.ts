import { status } from '@grpc/grpc-js';
import {
  ConfigurationDiscoveryServiceDefinition,
  ManagementServiceDefinition,
  TraceSegmentReportServiceDefinition,
} from '@windsock/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AgentClient, callError } from '../test/agent-client.js';
import { segment } from '../test/fixtures.js';
import { type Collector, startCollector } from './collector.js';
import { type ControlServer, startControlServer } from './control.js';

let collector: Collector;
let control: ControlServer;
let client: AgentClient;

beforeEach(async () => {
  collector = await startCollector();
  control = await startControlServer(collector);
  client = new AgentClient(collector.address);
});

afterEach(async () => {
  client.close();
  await Promise.all([control.stop(), collector.stop()]);
});

// The answers are JSON of known shapes; tests read them loosely.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

async function get(path: string): Promise<{ status: number; body: Json }> {
  const response = await fetch(`${control.url}${path}`);
  return { status: response.status, body: await response.json() };
}

async function post(path: string, body: unknown): Promise<{ status: number; body: Json }> {
  const response = await fetch(`${control.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

describe('control API', () => {
  it('GET /counts, /traces, /traces/:id, /segments and /instances read what the collector received', async () => {
    await client.stream(TraceSegmentReportServiceDefinition.collect, [
      segment('t1'),
      segment('t2', { service: 'payments' }),
    ]);
    await client.unary(ManagementServiceDefinition.keepAlive, {
      service: 'checkout',
      serviceInstance: 'checkout-1',
      layer: '',
    });

    expect((await get('/counts')).body).toMatchObject({ segments: 2, keepAlives: 1 });
    const traces = await get('/traces?limit=1');
    expect(traces.body).toHaveLength(1);
    expect(traces.body[0]).toMatchObject({ spans: 1, errors: 0, durationMs: 25 });
    expect((await get('/traces/t2')).body).toMatchObject({
      traceId: 't2',
      segments: [{ service: 'payments' }],
    });
    expect((await get('/traces/nope')).status).toBe(404);
    const newest = (await get('/segments?limit=1')).body as { traceId: string }[];
    expect(newest.map((s) => s.traceId)).toEqual(['t2']);
    expect((await get('/instances')).body).toEqual([
      expect.objectContaining({ serviceInstance: 'checkout-1', keepAlives: 1 }),
    ]);
    expect((await get('/status')).body).toMatchObject({
      listener: 'up',
      address: collector.address,
    });
  });

  it('POST /faults switches faults, by status name and per service', async () => {
    const answer = await post('/faults', {
      type: 'fail',
      code: 'UNAVAILABLE',
      pushbackMs: 100,
      services: ['ManagementService'],
    });
    expect(answer.status).toBe(200);
    expect(answer.body.services.ManagementService).toEqual({
      fail: { code: status.UNAVAILABLE, ratio: 1, pushbackMs: 100 },
    });
    const error = await callError(
      client.unary(ManagementServiceDefinition.keepAlive, {
        service: 's',
        serviceInstance: 'i',
        layer: '',
      }),
    );
    expect(error.code).toBe(status.UNAVAILABLE);

    await post('/faults', { type: 'up' });
    expect((await get('/faults')).body.services.ManagementService).toEqual({});
  });

  it('POST /faults answers 400 to a malformed fault and 404 to an unknown route', async () => {
    expect((await post('/faults', { type: 'explode' })).status).toBe(400);
    expect((await post('/faults', { type: 'fail', code: 'OK' })).status).toBe(400);
    expect((await post('/faults', { type: 'refuse', services: ['EventService'] })).status).toBe(
      400,
    );
    expect((await post('/faults', { type: 'up', services: ['NoSuchService'] })).status).toBe(400);
    expect((await get('/nothing')).status).toBe(404);
    const broken = await fetch(`${control.url}/faults`, { method: 'POST', body: '{' });
    expect(broken.status).toBe(400);
    expect((await get('/faults')).body.listener).toBe('up');
  });

  it('POST /faults can refuse and bring the listener back', async () => {
    await post('/faults', { type: 'refuse' });
    expect((await get('/status')).body.listener).toBe('refuse');
    await post('/faults', { type: 'up' });
    expect((await get('/status')).body.listener).toBe('up');
  });

  it('POST /configuration sets what ConfigurationDiscoveryService hands out', async () => {
    expect((await post('/configuration', { uuid: 'u1', values: { a: 'b' } })).status).toBe(200);
    const answer = await client.unary(ConfigurationDiscoveryServiceDefinition.fetchConfigurations, {
      service: 's',
      uuid: '',
    });
    expect(answer.commands[0]?.args).toContainEqual({ key: 'UUID', value: 'u1' });
    expect((await post('/configuration', { uuid: 'u2', values: { a: 1 } })).status).toBe(400);
  });

  it('POST /clear resets the counters; CORS lets a dashboard on another port call it', async () => {
    await client.stream(TraceSegmentReportServiceDefinition.collect, [segment('t1')]);
    const cleared = await post('/clear', {});
    expect(cleared.body).toMatchObject({ segments: 0 });
    const preflight = await fetch(`${control.url}/faults`, { method: 'OPTIONS' });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('rejects a bad limit', async () => {
    expect((await get('/logs?limit=-1')).status).toBe(400);
  });
});
