import { connect } from 'node:net';
import { status } from '@grpc/grpc-js';
import {
  LogReportServiceDefinition,
  ManagementServiceDefinition,
  TraceSegmentReportServiceDefinition,
} from '@windsock/protocol';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AgentClient, callError } from '../test/agent-client.js';
import { log, segment } from '../test/fixtures.js';
import { POLL, tryConnect } from '../test/net.js';
import { RETRY_PUSHBACK_HEADER } from './calls.js';
import { type Collector, type CollectorOptions, startCollector } from './collector.js';
import { fault } from './fault.js';

const collectors: Collector[] = [];
const clients: AgentClient[] = [];

async function start(options: CollectorOptions = {}): Promise<Collector> {
  const collector = await startCollector(options);
  collectors.push(collector);
  return collector;
}

function clientOf(collector: Collector, metadata?: Record<string, string>): AgentClient {
  const client = new AgentClient(collector.address, { metadata });
  clients.push(client);
  return client;
}

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await Promise.all(collectors.splice(0).map((collector) => collector.stop()));
});

const keepAlive = (client: AgentClient) =>
  client.unary(
    ManagementServiceDefinition.keepAlive,
    { service: 's', serviceInstance: 'i', layer: '' },
    { deadline: Date.now() + 10_000 },
  );

const inOneSecond = () => ({ deadline: Date.now() + 1000 });

describe('refuse and up', () => {
  it('refuses connections, drops open ones, and listens again on the same port', async () => {
    const collector = await start();
    const client = clientOf(collector);
    await keepAlive(client);
    const inFlight = client.open(TraceSegmentReportServiceDefinition.collect);
    inFlight.write(segment('in-flight'));
    await collector.waitFor((c) => c.requests().length === 2, 5000);

    await collector.setFault(fault.refuse());
    expect(collector.faults().listener).toBe('refuse');
    expect((await callError(inFlight.result)).code).toBe(status.UNAVAILABLE);
    await expect(tryConnect(collector.port)).resolves.toBe('refused');
    expect((await callError(keepAlive(client))).code).toBe(status.UNAVAILABLE);

    const port = collector.port;
    await collector.setFault(fault.up());
    expect(collector.port).toBe(port);
    await expect(tryConnect(port)).resolves.toBe('connected');
    // The client reconnects after up.
    await vi.waitFor(() => keepAlive(client), POLL);
    expect(collector.counts()).toMatchObject({
      segments: 0,
      unacknowledged: { segments: 1 },
      calls: { aborted: 1 },
    });
  });
});

describe('blackhole', () => {
  it('accepts connections and never answers until up', async () => {
    const collector = await start();
    await collector.setFault(fault.blackhole());

    // A raw socket gets accepted but not even the HTTP/2 preface comes back.
    const socket = connect({ port: collector.port, host: '127.0.0.1' });
    let bytesFromServer = 0;
    socket.on('data', (chunk: Buffer) => (bytesFromServer += chunk.length));
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
    await collector.waitFor((c) => c.status().heldConnections === 1, 5000);

    const client = clientOf(collector);
    const hung = await callError(
      client.unary(
        ManagementServiceDefinition.keepAlive,
        { service: 's', serviceInstance: 'i', layer: '' },
        {
          deadline: Date.now() + 300,
        },
      ),
    );
    expect(hung.code).toBe(status.DEADLINE_EXCEEDED);
    expect(bytesFromServer).toBe(0);
    expect(collector.counts().calls).toEqual({ acknowledged: 0, rejected: 0, aborted: 0 });

    await collector.setFault(fault.up());
    expect(collector.status().heldConnections).toBe(0);
    // The client gets answers after up.
    await vi.waitFor(() => keepAlive(client), POLL);
    socket.destroy();
  });
});

describe('delay', () => {
  it('holds answers back: a call whose deadline is shorter is not acknowledged', async () => {
    const collector = await start();
    const client = clientOf(collector);
    await collector.setFault(fault.delay(60_000), { services: ['TraceSegmentReportService'] });

    const late = await callError(
      client.stream(TraceSegmentReportServiceDefinition.collect, [segment('a'), segment('b')], {
        deadline: Date.now() + 200,
      }),
    );
    expect(late.code).toBe(status.DEADLINE_EXCEEDED);
    await collector.waitFor((c) => c.counts().calls.aborted === 1, 5000);
    expect(collector.counts()).toMatchObject({ segments: 0, unacknowledged: { segments: 2 } });

    // Other services are not delayed.
    await keepAlive(client);
  });

  it('acknowledges a delayed call that waits long enough', async () => {
    const collector = await start();
    const client = clientOf(collector);
    await collector.setFault(fault.delay(50));
    await client.stream(TraceSegmentReportServiceDefinition.collect, [segment('a')]);
    expect(collector.counts().segments).toBe(1);
  });
});

describe('fail', () => {
  it('answers the configured status with a pushback hint and keeps nothing', async () => {
    const collector = await start();
    const client = clientOf(collector);
    await collector.setFault(
      fault.fail(status.RESOURCE_EXHAUSTED, { pushbackMs: 1500, message: 'slow down' }),
      { services: ['TraceSegmentReportService'] },
    );
    const error = await callError(
      client.stream(TraceSegmentReportServiceDefinition.collect, [segment('a'), segment('b')]),
    );
    expect(error.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(error.details).toBe('slow down');
    expect(error.metadata.get(RETRY_PUSHBACK_HEADER)).toEqual(['1500']);
    expect(collector.counts()).toMatchObject({
      segments: 0,
      unacknowledged: { segments: 2 },
      calls: { rejected: 1 },
    });
    expect(collector.segments()).toEqual([]);
    await keepAlive(client);
  });

  it.each([
    status.UNAVAILABLE,
    status.INTERNAL,
    status.PERMISSION_DENIED,
    status.DEADLINE_EXCEEDED,
  ])('can answer status %i on unary calls', async (code) => {
    const collector = await start();
    const client = clientOf(collector);
    await collector.setFault(fault.fail(code));
    expect((await callError(keepAlive(client))).code).toBe(code);
    expect(error_free_counts(collector)).toEqual({ keepAlives: 0, unacknowledged: 1 });
  });

  it('fails the given ratio of calls, decided by the injected random source', async () => {
    const rolls = [0.1, 0.9, 0.49, 0.5];
    const collector = await start({ random: () => rolls.shift() ?? 1 });
    const client = clientOf(collector);
    await collector.setFault(fault.fail(status.UNAVAILABLE, { ratio: 0.5 }));
    const outcomes = [];
    for (let i = 0; i < 4; i += 1) {
      outcomes.push(
        await keepAlive(client).then(
          () => 'ok',
          () => 'failed',
        ),
      );
    }
    expect(outcomes).toEqual(['failed', 'ok', 'failed', 'ok']);
    expect(collector.counts()).toMatchObject({
      keepAlives: 2,
      calls: { acknowledged: 2, rejected: 2 },
    });
  });
});

function error_free_counts(collector: Collector) {
  const counts = collector.counts();
  return { keepAlives: counts.keepAlives, unacknowledged: counts.unacknowledged.keepAlives };
}

describe('reset', () => {
  it('drops the connection in the middle of a stream; nothing of it is acknowledged', async () => {
    const collector = await start();
    const client = clientOf(collector);
    await collector.setFault(fault.reset(2), { services: ['TraceSegmentReportService'] });
    const error = await callError(
      client.stream(
        TraceSegmentReportServiceDefinition.collect,
        ['a', 'b', 'c', 'd', 'e'].map((id) => segment(id)),
      ),
    );
    expect(error.code).toBe(status.UNAVAILABLE);
    expect(collector.counts()).toMatchObject({
      segments: 0,
      unacknowledged: { segments: 3 },
      calls: { acknowledged: 0, aborted: 1 },
    });
    // A stream shorter than the threshold goes through.
    await vi.waitFor(
      () =>
        client.stream(TraceSegmentReportServiceDefinition.collect, [segment('x'), segment('y')]),
      POLL,
    );
    expect(collector.counts().segments).toBe(2);
  });

  it('takes down every call multiplexed on the connection', async () => {
    const collector = await start();
    const client = clientOf(collector);
    await collector.setFault(fault.reset(0), { services: ['TraceSegmentReportService'] });
    const bystander = client.open(LogReportServiceDefinition.collect);
    const bystanderError = callError(bystander.result);
    bystander.write(log('waiting'));
    await collector.waitFor((c) => c.requests().length === 1, 5000);
    const doomed = client.stream(TraceSegmentReportServiceDefinition.collect, [segment('a')]);
    expect((await callError(doomed)).code).toBe(status.UNAVAILABLE);
    expect((await bystanderError).code).toBe(status.UNAVAILABLE);
    await collector.waitFor((c) => c.counts().calls.aborted === 2, 5000);
    expect(collector.counts().unacknowledged).toMatchObject({ segments: 1, logs: 1 });
  });

  it('reset(0) drops unary calls too', async () => {
    const collector = await start();
    const client = clientOf(collector);
    await collector.setFault(fault.reset(0));
    expect((await callError(keepAlive(client))).code).toBe(status.UNAVAILABLE);
    expect(collector.counts()).toMatchObject({ keepAlives: 0, unacknowledged: { keepAlives: 1 } });
  });
});

describe('flap', () => {
  it('alternates refusing and listening on the same port until up', async () => {
    const collector = await start();
    const port = collector.port;
    await collector.setFault(fault.flap(40));
    expect(collector.faults().flappingPeriodMs).toBe(40);
    await vi.waitFor(async () => expect(await tryConnect(port)).toBe('refused'), POLL); // a refused phase
    await vi.waitFor(async () => expect(await tryConnect(port)).toBe('connected'), POLL); // a listening phase
    await vi.waitFor(async () => expect(await tryConnect(port)).toBe('refused'), POLL); // refusing again
    await collector.setFault(fault.up());
    expect(collector.faults().flappingPeriodMs).toBeUndefined();
    for (let i = 0; i < 5; i += 1) await expect(tryConnect(port)).resolves.toBe('connected');
    expect(collector.port).toBe(port);
  });
});

describe('auth', () => {
  it('answers UNAUTHENTICATED to a missing or wrong token', async () => {
    const collector = await start({ token: 'secret' });
    const anonymous = clientOf(collector);
    const wrong = clientOf(collector, { authentication: 'guess' });
    const right = clientOf(collector, { authentication: 'secret' });
    const missing = await callError(
      anonymous.stream(TraceSegmentReportServiceDefinition.collect, [segment('a')]),
    );
    expect(missing.code).toBe(status.UNAUTHENTICATED);
    expect(missing.details).toMatch(/missing/);
    expect((await callError(keepAlive(wrong))).code).toBe(status.UNAUTHENTICATED);
    await right.stream(TraceSegmentReportServiceDefinition.collect, [segment('a')]);
    expect(collector.counts()).toMatchObject({
      segments: 1,
      calls: { rejected: 2, acknowledged: 1 },
    });
  });

  it('can be switched per service at run time and survives up', async () => {
    const collector = await start();
    const client = clientOf(collector);
    await collector.setFault(fault.auth('t'), { services: ['ManagementService'] });
    expect((await callError(keepAlive(client))).code).toBe(status.UNAUTHENTICATED);
    await client.stream(LogReportServiceDefinition.collect, [log('fine')]);
    await collector.setFault(fault.up());
    expect((await callError(keepAlive(client))).code).toBe(status.UNAUTHENTICATED);
    await collector.setFault(fault.auth(undefined));
    await keepAlive(client);
  });
});

describe('combined faults', () => {
  it('a service can be delayed and failing at once while another stays healthy', async () => {
    const collector = await start();
    const client = clientOf(collector);
    await collector.setFault(fault.delay(20), { services: ['LogReportService'] });
    await collector.setFault(fault.fail(status.UNAVAILABLE), { services: ['LogReportService'] });
    expect(collector.faults().services.LogReportService).toEqual({
      delayMs: 20,
      fail: { code: status.UNAVAILABLE, ratio: 1 },
    });
    expect(
      (
        await callError(
          client.stream(LogReportServiceDefinition.collect, [log('x')], inOneSecond()),
        )
      ).code,
    ).toBe(status.UNAVAILABLE);
    await client.stream(TraceSegmentReportServiceDefinition.collect, [segment('ok')]);
    await collector.setFault(fault.up(), { services: ['LogReportService'] });
    await client.stream(LogReportServiceDefinition.collect, [log('x')]);
    expect(collector.counts()).toMatchObject({ logs: 1, segments: 1 });
  });

  it('rejects a listener fault aimed at a service and a malformed fault', async () => {
    const collector = await start();
    await expect(
      collector.setFault(fault.refuse(), { services: ['EventService'] }),
    ).rejects.toThrow(TypeError);
    await expect(collector.setFault({ type: 'delay', ms: -1 })).rejects.toThrow(TypeError);
    expect(collector.faults().listener).toBe('up');
  });
});
