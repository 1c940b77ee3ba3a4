// The facade against a real collector on loopback: what an application gets with one start() call.
import { once } from 'node:events';
import { createServer, get, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fault, startCollector, type Collector } from '@windsock/collector';
import { RefType, SpanType } from '@windsock/protocol';
import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseSampleRate, start, type Agent } from './index.js';
import type { AgentStatus } from './index.js';

let collector: Collector | undefined;
let agent: Agent | undefined;
const servers: Server[] = [];

afterEach(async () => {
  await agent?.shutdown({ timeoutMs: 2_000 });
  agent = undefined;
  for (const server of servers.splice(0)) server.close();
  await collector?.stop();
  collector = undefined;
});

function expectAccounting(status: AgentStatus): void {
  for (const [name, p] of Object.entries(status.pipelines)) {
    const dropped = Object.values(p.dropped).reduce((a, b) => a + b, 0);
    expect(p.produced, name).toBe(p.delivered + dropped + p.queued + p.inFlight);
  }
}

async function listen(handler: Parameters<typeof createServer>[1]): Promise<number> {
  const server = createServer(handler);
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

function request(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    get(url, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

/** An application: a frontend calling an inventory service over HTTP, logging with pino and counting. */
async function startApplication(a: Agent): Promise<number> {
  // The application's own pino logger, knowing nothing of the agent: its lines reach the agent through pino's
  // diagnostics channel.
  const log = pino(pino.destination('/dev/null'));
  const inventoryPort = await listen((_req, res) => {
    log.info({ sku: 'A-1' }, 'inventory checked');
    res.end('42');
  });
  return listen((_req, res) => {
    a.meter.counter('orders_total', { region: 'eu' }).inc();
    void request(`http://127.0.0.1:${inventoryPort}/stock?sku=A-1`).then((stock) =>
      res.end(`stock ${stock}`),
    );
  });
}

describe('start() against a collector', () => {
  it('delivers segments with cross-process references, logs with trace context, meters and instance data', async () => {
    collector = await startCollector({ port: 0, token: 'secret-token' });
    agent = start({
      serviceName: 'shop',
      serviceInstance: 'shop-1',
      collector: collector.address,
      authentication: 'secret-token',
      lingerMs: 20,
      meterIntervalMs: 1_000,
      heartbeatIntervalMs: 1_000,
    });
    const port = await startApplication(agent);
    for (let i = 0; i < 5; i++)
      expect(await request(`http://127.0.0.1:${port}/checkout?id=${i}`)).toBe('stock 42');

    const flushed = await agent.flush({ timeoutMs: 5_000 });
    expect(flushed).toEqual({ done: true, remaining: 0 });
    // Meters are collected every second: wait for a collection taken after the fifth order.
    await collector.waitFor(
      (c) =>
        c
          .meters()
          .some((m) => m.singleValue?.name === 'orders_total' && m.singleValue.value === 5) &&
        c.instances()[0]?.keepAlives,
      10_000,
    );
    await agent.flush({ timeoutMs: 5_000 });

    // Per request: the test's own client call (an exit span with no entry: a segment of its own), the checkout
    // entry with its exit to inventory, and the inventory entry.
    const segments = collector.segments();
    expect(segments).toHaveLength(15);
    const entries = segments.filter((s) => s.spans.some((sp) => sp.operationName === 'GET:/stock'));
    expect(entries).toHaveLength(5);
    for (const inventory of entries) {
      const entry = inventory.spans[0]!;
      expect(entry.spanType).toBe(SpanType.Entry);
      expect(entry.componentId).toBe(49);
      const ref = entry.refs[0]!;
      expect(ref.refType).toBe(RefType.CrossProcess);
      const parent = segments.find((s) => s.traceSegmentId === ref.parentTraceSegmentId)!;
      expect(parent.traceId).toBe(inventory.traceId);
      expect(ref.parentService).toBe('shop');
      expect(ref.parentEndpoint).toBe('GET:/checkout');
      const exit = parent.spans.find((sp) => sp.spanId === ref.parentSpanId)!;
      expect(exit.spanType).toBe(SpanType.Exit);
      expect(exit.peer).toBe(ref.networkAddressUsedAtPeer);
    }

    const logs = collector.logs();
    expect(logs).toHaveLength(5);
    for (const log of logs) {
      expect(log.service).toBe('shop');
      expect(log.serviceInstance).toBe('shop-1');
      expect(log.endpoint).toBe('GET:/stock');
      expect(log.body?.text?.text).toBe('inventory checked');
      expect(log.tags?.data).toEqual(
        expect.arrayContaining([
          { key: 'logger', value: 'pino' },
          { key: 'sku', value: 'A-1' },
        ]),
      );
      const segment = entries.find((s) => s.traceSegmentId === log.traceContext?.traceSegmentId);
      expect(segment, 'log correlated with its segment').toBeDefined();
      expect(log.traceContext?.traceId).toBe(segment!.traceId);
    }

    const orders = collector.meters().filter((m) => m.singleValue?.name === 'orders_total');
    expect(orders.at(-1)?.singleValue?.value).toBe(5);
    expect(collector.meters().some((m) => m.singleValue?.name === 'windsock_agent_delivered')).toBe(
      true,
    );

    const instance = collector.instances().find((i) => i.serviceInstance === 'shop-1')!;
    expect(instance.properties.find((p) => p.key === 'language')?.value).toBe('Node.js');
    expect(instance.keepAlives).toBeGreaterThan(0);
    expect(collector.requests().every((r) => r.authentication === 'secret-token')).toBe(true);

    const status = agent.status();
    expectAccounting(status);
    expect(status.state).toBe('connected');
    const counts = collector.counts();
    expect(status.pipelines.segments.delivered).toBe(counts.segments);
    expect(status.pipelines.logs.delivered).toBe(counts.logs);
    expect(status.pipelines.meters.delivered).toBe(counts.meters);
  });

  it('shutdown() reports the meters counted since the last collection', async () => {
    collector = await startCollector({ port: 0 });
    // A process that lives less than one collection interval: without a last collection at shutdown it would
    // report no meters at all.
    agent = start({
      collector: collector.address,
      meterIntervalMs: 3_600_000,
      diagnostics: () => {},
    });
    agent.meter.counter('orders_total', { region: 'eu' }).inc(3);
    expect(collector.counts().meters).toBe(0);
    await agent.shutdown({ timeoutMs: 5_000 });
    const orders = collector.meters().filter((m) => m.singleValue?.name === 'orders_total');
    expect(orders.map((m) => m.singleValue?.value)).toEqual([3]);
    const status = agent.status();
    expectAccounting(status);
    expect(status.pipelines.meters.delivered).toBe(collector.counts().meters);
  });

  it('applies agent.sample_rate from configuration discovery live', async () => {
    collector = await startCollector({ port: 0 });
    agent = start({
      collector: collector.address,
      cdsIntervalMs: 200,
      lingerMs: 10,
      diagnostics: () => {},
    });
    expect(agent.tracer.sampleRate).toBe(1);
    collector.setConfiguration({ uuid: 'config-1', values: { 'agent.sample_rate': '2500' } });
    await vi.waitFor(() => expect(agent!.tracer.sampleRate === 0.25).toBe(true), {
      timeout: 10_000,
      interval: 20,
    });
    collector.setConfiguration({ uuid: 'config-2', values: { 'agent.sample_rate': '0' } });
    await vi.waitFor(() => expect(agent!.tracer.sampleRate === 0).toBe(true), {
      timeout: 10_000,
      interval: 20,
    });
    const port = await listen((_req, res) => res.end('ok'));
    await request(`http://127.0.0.1:${port}/unsampled`);
    await agent.flush({ timeoutMs: 2_000 });
    expect(agent.status().pipelines.segments.produced).toBe(0);
  });

  it('fails over to the second backend at once when the first refuses, dropping nothing', async () => {
    collector = await startCollector({ port: 0 });
    const down = await startCollector({ port: 0 });
    await down.setFault(fault.refuse());
    try {
      agent = start({
        serviceName: 'failover',
        collector: [down.address, collector.address],
        lingerMs: 10,
        maxBatchItems: 5,
        diagnostics: () => {},
      });
      const port = await listen((_req, res) => res.end('ok'));
      for (let i = 0; i < 20; i++) await request(`http://127.0.0.1:${port}/x`);
      expect(await agent.flush({ timeoutMs: 5_000 })).toEqual({ done: true, remaining: 0 });
      const segments = agent.status().pipelines.segments;
      expect(segments).toMatchObject({ produced: 40, delivered: 40, queued: 0, inFlight: 0 });
      expect(Object.values(segments.dropped).every((n) => n === 0)).toBe(true);
      expect(collector.counts().segments).toBe(40);
      expect(down.counts().segments).toBe(0);
    } finally {
      await down.stop();
    }
  });

  it('returns the running agent when started twice', async () => {
    collector = await startCollector({ port: 0 });
    const lines: string[] = [];
    const diagnostics = (line: string): number => lines.push(line);
    agent = start({ collector: collector.address, diagnostics });
    expect(start({ collector: collector.address, diagnostics })).toBe(agent);
    expect(lines.filter((l) => l.includes('start() was called again'))).toHaveLength(0);
    // Different options: still the running agent, and one line through its own diagnostics output.
    expect(start({ collector: collector.address, serviceName: 'other', diagnostics })).toBe(agent);
    expect(lines.filter((l) => l.includes('start() was called again'))).toHaveLength(1);
  });

  it('starts delivering within the longest probe delay + 2 s once a refused backend comes up', async () => {
    collector = await startCollector({ port: 0 });
    await collector.setFault(fault.refuse());
    agent = start({
      serviceName: 'late',
      collector: collector.address,
      lingerMs: 10,
      probeMinDelayMs: 200,
      probeMaxDelayMs: 1_000,
      breakerThreshold: 2,
      retryMaxAttempts: 0,
      diagnostics: (line) => lines.push(line), // at the default level, warn
    });
    const lines: string[] = [];
    const port = await listen((_req, res) => res.end('ok'));
    const samples: AgentStatus[] = [];
    const sampler = setInterval(() => samples.push(agent!.status()), 50);
    for (let i = 0; i < 20; i++) await request(`http://127.0.0.1:${port}/x`);
    await vi.waitFor(() => expect(agent!.status().backends[0]!.breaker).toBe('open'), {
      timeout: 5_000,
    });
    expect(agent.status().pipelines.segments.delivered).toBe(0);

    await collector.setFault(fault.up());
    // The bound the agent promises: the longest probe delay (1 s here) plus 2 s.
    await collector.waitFor((c) => c.counts().segments > 0, 1_000 + 2_000);
    await collector.waitFor((c) => c.counts().segments >= 40, 10_000);
    clearInterval(sampler);
    await agent.flush({ timeoutMs: 5_000 });
    for (const status of [...samples, agent.status()]) expectAccounting(status);
    // The agent said what happened, once per state change and never per item: a few lines, not one per segment.
    expect(lines.some((l) => /breaker closed → open/.test(l))).toBe(true);
    // The outage's end is told at the level of its start, so the default level shows both.
    expect(lines.find((l) => /→ closed/.test(l))).toMatch(/WARN .*reporting again/);
    expect(lines.length).toBeLessThan(10);
    // 20 requests, each a client segment (the test's own call) and a server segment.
    expect(agent.status().pipelines.segments).toMatchObject({
      produced: 40,
      delivered: 40,
      queued: 0,
    });
    expect(collector.counts().segments).toBe(40); // nothing twice
  });
});

describe('diagnostics at the default level', () => {
  it('tell an overflow episode at warn: its start, and at its end how many items it dropped', async () => {
    collector = await startCollector({ port: 0 });
    await collector.setFault(fault.refuse());
    const lines: string[] = [];
    agent = start({
      collector: collector.address,
      maxBufferSize: 10,
      lingerMs: 10,
      probeMinDelayMs: 100,
      probeMaxDelayMs: 200,
      breakerThreshold: 1,
      retryMaxAttempts: 0,
      meterReporterEnable: false,
      diagnostics: (line) => lines.push(line),
    });
    for (let i = 0; i < 25; i++) agent.logger.info(`line ${i}`);
    expect(lines.filter((l) => /queue is full/.test(l))).toEqual([
      expect.stringMatching(/WARN .*logs queue is full/),
    ]);
    await collector.setFault(fault.up());
    await vi.waitFor(() => expect(agent!.status().pipelines.logs.delivered === 10).toBe(true), {
      timeout: 5_000,
      interval: 20,
    });
    agent.logger.info('after the outage'); // fits: the episode ends
    const dropped = agent.status().pipelines.logs.dropped.overflow;
    expect(dropped).toBe(15);
    expect(lines.filter((l) => /room again/.test(l))).toEqual([
      expect.stringMatching(/WARN .*logs queue has room again; 15 items were dropped meanwhile/),
    ]);
  });
});

describe('parseSampleRate', () => {
  it.each([
    ['1', 1],
    ['0.5', 0.5],
    ['0', 0],
    ['2500', 0.25],
    ['10000', 1],
  ])('reads %s as %s', (raw, rate) => expect(parseSampleRate(raw)).toBe(rate));

  it.each(['', 'half', '-1', '10001', 'NaN'])('ignores %j', (raw) =>
    expect(parseSampleRate(raw)).toBeUndefined(),
  );
});
