import {
  ConfigurationDiscoveryServiceDefinition,
  EventServiceDefinition,
  EventType,
  LogReportServiceDefinition,
  ManagementServiceDefinition,
  MeterReportServiceDefinition,
  TraceSegmentReportServiceDefinition,
} from '@windsock/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { AgentClient } from '../test/agent-client.js';
import { log, meter, segment } from '../test/fixtures.js';
import { type Collector, type CollectorOptions, startCollector } from './collector.js';

let collector: Collector | undefined;
let client: AgentClient | undefined;

async function start(options: CollectorOptions = {}, metadata?: Record<string, string>) {
  collector = await startCollector(options);
  client = new AgentClient(collector.address, { metadata });
  return { collector, client };
}

afterEach(async () => {
  client?.close();
  await collector?.stop();
  client = undefined;
  collector = undefined;
});

describe('startCollector', () => {
  it('picks a free port and reports it in address', async () => {
    const { collector } = await start();
    expect(collector.port).toBeGreaterThan(0);
    expect(collector.address).toBe(`127.0.0.1:${collector.port}`);
    expect(collector.status()).toMatchObject({ listener: 'up', heldConnections: 0 });
  });

  it('rejects bad options with one OptionsError listing each of them', async () => {
    await expect(startCollector({ retain: -1, port: 70_000 })).rejects.toThrow(
      'windsock collector: invalid options (2 problems):\n' +
        '  - retain = -1: expected an integer ≥ 0\n' +
        '  - port = 70000: expected an integer ≥ 0 and ≤ 65535',
    );
  });

  it('fails to start on a port that is taken', async () => {
    const { collector: first } = await start();
    await expect(startCollector({ port: first.port })).rejects.toThrow(/EADDRINUSE/);
  });
});

describe('TraceSegmentReportService', () => {
  it('collect keeps the streamed segments, decoded, and counts them on the answer', async () => {
    const { collector, client } = await start();
    const sent = [segment('t1'), segment('t2'), segment('t3')];
    await expect(client.stream(TraceSegmentReportServiceDefinition.collect, sent)).resolves.toEqual(
      {
        commands: [],
      },
    );
    expect(collector.segments()).toEqual(sent);
    expect(collector.counts()).toMatchObject({
      segments: 3,
      unacknowledged: { segments: 0 },
      calls: { acknowledged: 1, rejected: 0, aborted: 0 },
    });
  });

  it('collectInSync keeps every segment of the collection', async () => {
    const { collector, client } = await start();
    const segments = [segment('a'), segment('b')];
    await client.unary(TraceSegmentReportServiceDefinition.collectInSync, { segments });
    expect(collector.segments()).toEqual(segments);
    expect(collector.counts().segments).toBe(2);
  });
});

describe('LogReportService', () => {
  it('collect keeps the streamed logs', async () => {
    const { collector, client } = await start();
    const logs = [log('one'), log('two')];
    await client.stream(LogReportServiceDefinition.collect, logs);
    expect(collector.logs()).toEqual(logs);
    expect(collector.counts().logs).toBe(2);
  });
});

describe('MeterReportService', () => {
  it('collect and collectBatch both count MeterData items', async () => {
    const { collector, client } = await start();
    await client.stream(MeterReportServiceDefinition.collect, [meter('a', 1), meter('b', 2)]);
    await client.stream(MeterReportServiceDefinition.collectBatch, [
      { meterData: [meter('c', 3), meter('d', 4)] },
      { meterData: [meter('e', 5)] },
    ]);
    expect(collector.meters().map((m) => m.singleValue?.name)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(collector.counts()).toMatchObject({ meters: 5, calls: { acknowledged: 2 } });
  });
});

describe('ManagementService', () => {
  it('tracks properties, the last keepAlive and the agent version per instance', async () => {
    const { collector, client } = await start({}, { 'agent-version': '0.1.0' });
    await client.unary(ManagementServiceDefinition.reportInstanceProperties, {
      service: 'checkout',
      serviceInstance: 'checkout-1',
      properties: [{ key: 'language', value: 'nodejs' }],
      layer: 'GENERAL',
    });
    await client.unary(ManagementServiceDefinition.keepAlive, {
      service: 'checkout',
      serviceInstance: 'checkout-1',
      layer: '',
    });
    await client.unary(ManagementServiceDefinition.keepAlive, {
      service: 'checkout',
      serviceInstance: 'checkout-2',
      layer: '',
    });
    const [first, second] = collector.instances();
    expect(first).toMatchObject({
      service: 'checkout',
      serviceInstance: 'checkout-1',
      layer: 'GENERAL',
      properties: [{ key: 'language', value: 'nodejs' }],
      keepAlives: 1,
      agentVersion: '0.1.0',
    });
    expect(first?.lastKeepAliveAt).toBeGreaterThanOrEqual(first?.propertiesReportedAt ?? Infinity);
    expect(second).toMatchObject({ serviceInstance: 'checkout-2', keepAlives: 1, properties: [] });
    expect(collector.counts()).toMatchObject({ instanceProperties: 1, keepAlives: 2 });
  });
});

describe('EventService', () => {
  it('collect keeps the events with their parameters', async () => {
    const { collector, client } = await start();
    const event = {
      uuid: 'e1',
      source: { service: 'checkout', serviceInstance: 'checkout-1', endpoint: '' },
      name: 'Start',
      type: EventType.Normal,
      message: 'started',
      parameters: { pid: '42' },
      startTime: 1,
      endTime: 2,
      layer: 'GENERAL',
    };
    await client.stream(EventServiceDefinition.collect, [event]);
    expect(collector.events()).toEqual([event]);
    expect(collector.counts().events).toBe(1);
  });
});

describe('ConfigurationDiscoveryService', () => {
  it('answers with the configured command and nothing once the agent has its UUID', async () => {
    const { collector, client } = await start({
      configuration: { uuid: 'cfg-1', values: { 'agent.sample_rate': '5000' } },
    });
    const fetch = (uuid: string) =>
      client.unary(ConfigurationDiscoveryServiceDefinition.fetchConfigurations, {
        service: 'checkout',
        uuid,
      });
    const first = await fetch('');
    expect(first.commands).toHaveLength(1);
    expect(first.commands[0]?.command).toBe('ConfigurationDiscoveryCommand');
    expect(first.commands[0]?.args).toEqual([
      { key: 'SerialNumber', value: expect.any(String) },
      { key: 'UUID', value: 'cfg-1' },
      { key: 'agent.sample_rate', value: '5000' },
    ]);
    await expect(fetch('cfg-1')).resolves.toEqual({ commands: [] });
    collector.setConfiguration({ uuid: 'cfg-2', values: {} });
    expect((await fetch('cfg-1')).commands[0]?.args[1]).toEqual({ key: 'UUID', value: 'cfg-2' });
    expect(collector.counts().configurationFetches).toBe(3);
  });

  it('answers no command when nothing is configured', async () => {
    const { client } = await start();
    await expect(
      client.unary(ConfigurationDiscoveryServiceDefinition.fetchConfigurations, {
        service: 'checkout',
        uuid: '',
      }),
    ).resolves.toEqual({ commands: [] });
  });
});

describe('concurrency', () => {
  it('serves many concurrent calls on one connection', async () => {
    const { collector, client } = await start();
    const streams = Array.from({ length: 40 }, () =>
      client.open(TraceSegmentReportServiceDefinition.collect),
    );
    const results = Promise.all(streams.map((stream) => stream.result));
    streams.forEach((stream, i) => stream.write(segment(`c${i}`)));
    await collector.waitFor((c) => c.requests().length === 40, 10_000);
    expect(collector.status().openConnections).toBe(1);
    streams.forEach((stream) => stream.end());
    await results;
    expect(collector.counts()).toMatchObject({ segments: 40, calls: { acknowledged: 40 } });
  });
});

describe('query API', () => {
  it('records request metadata', async () => {
    const { collector, client } = await start(
      {},
      { authentication: 'secret', 'agent-version': '1.2.3' },
    );
    await client.stream(TraceSegmentReportServiceDefinition.collect, [segment('t')]);
    expect(collector.requests()).toEqual([
      expect.objectContaining({
        method: '/skywalking.v3.TraceSegmentReportService/collect',
        authentication: 'secret',
        agentVersion: '1.2.3',
        outcome: 'acknowledged',
      }),
    ]);
  });

  it('retains at most `retain` items while the counters keep counting', async () => {
    const { collector, client } = await start({ retain: 2 });
    await client.stream(
      TraceSegmentReportServiceDefinition.collect,
      ['a', 'b', 'c', 'd', 'e'].map((id) => segment(id)),
    );
    expect(collector.segments().map((s) => s.traceId)).toEqual(['d', 'e']);
    expect(collector.requests()).toHaveLength(1);
    expect(collector.counts().segments).toBe(5);
  });

  it('waitFor resolves with the value once a later call delivers it', async () => {
    const { collector, client } = await start();
    const found = collector.waitFor((c) => c.segments().find((s) => s.traceId === 'late'), 10_000);
    await client.stream(TraceSegmentReportServiceDefinition.collect, [segment('early')]);
    await client.stream(TraceSegmentReportServiceDefinition.collect, [segment('late')]);
    const late: { traceSegmentId: string } = await found;
    expect(late).toMatchObject({ traceId: 'late' });
  });

  it('traces() summarises the retained segments', async () => {
    const { collector, client } = await start();
    await client.stream(TraceSegmentReportServiceDefinition.collect, [
      segment('t1'),
      segment('t1', { traceSegmentId: 't1.b', service: 'payments' }),
    ]);
    expect(collector.traces()).toEqual([
      expect.objectContaining({ traceId: 't1', services: ['checkout', 'payments'], segments: 2 }),
    ]);
  });

  it('clear forgets data and counters', async () => {
    const { collector, client } = await start();
    await client.stream(LogReportServiceDefinition.collect, [log('x')]);
    collector.clear();
    expect(collector.logs()).toEqual([]);
    expect(collector.counts()).toMatchObject({ logs: 0, calls: { acknowledged: 0 } });
  });

  it('stop rejects pending waits and is idempotent', async () => {
    const { collector } = await start();
    const waiting = collector.waitFor(() => false, 60_000);
    await Promise.all([collector.stop(), collector.stop()]);
    await expect(waiting).rejects.toThrow(/stopped/);
    await expect(collector.setFault({ type: 'up' })).rejects.toThrow(/stopped/);
  });
});
