import { fault } from '@windsock/collector';
import { describe, expect, it, vi } from 'vitest';
import { INSTANCE, SERVICE } from '../test/fixtures.js';
import { collectorFor, RECOVERY, transportFor } from '../test/harness.js';
import { ManualTimers } from '../test/manual-timers.js';
import { type ConfigurationUpdate, configurationIn, startManagementScheduler } from './index.js';

const HEARTBEAT = 20_000;
const CDS = 30_000;
const properties = [{ key: 'language', value: 'nodejs' }];

function start(
  transport: ReturnType<typeof transportFor>,
  extra: Partial<Parameters<typeof startManagementScheduler>[1]> = {},
) {
  const timers = new ManualTimers();
  const updates: ConfigurationUpdate[] = [];
  const scheduler = startManagementScheduler(transport, {
    service: SERVICE,
    serviceInstance: INSTANCE,
    properties,
    heartbeatIntervalMs: HEARTBEAT,
    cdsIntervalMs: CDS,
    onConfiguration: (update) => updates.push(update),
    timers,
    ...extra,
  });
  return { timers, updates, scheduler };
}

describe('management scheduler', () => {
  it('reports properties at start, then a keepAlive every heartbeat', async () => {
    const collector = await collectorFor();
    const transport = transportFor(collector.address);
    const { timers, scheduler } = start(transport, { cdsIntervalMs: 0 });
    await collector.waitFor((c) => c.counts().instanceProperties === 1, 5_000);
    await timers.fire(HEARTBEAT);
    await timers.fire(HEARTBEAT);
    await collector.waitFor((c) => c.counts().keepAlives === 2, 5_000);
    expect(collector.instances()[0]).toMatchObject({ properties, keepAlives: 2 });
    expect(collector.counts().configurationFetches).toBe(0);
    expect(collector.counts().instanceProperties).toBe(1);
    scheduler.stop();
    expect(timers.delays()).toEqual([]);
  });

  it('retries a failed properties report on the next heartbeat instead of a keepAlive', async () => {
    const collector = await collectorFor();
    await collector.setFault(fault.fail(14), { services: ['ManagementService'] });
    const transport = transportFor(collector.address);
    const { timers, scheduler } = start(transport, { cdsIntervalMs: 0 });
    await collector.waitFor((c) => c.counts().calls.rejected === 1, 5_000);
    await collector.setFault(fault.up());
    await timers.fire(HEARTBEAT);
    await collector.waitFor((c) => c.counts().instanceProperties === 1, 5_000);
    expect(collector.counts().keepAlives).toBe(0);
    scheduler.stop();
  });

  it('re-reports properties to a backend that becomes healthy after being unhealthy', async () => {
    const collector = await collectorFor();
    const port = collector.port;
    const transport = transportFor(collector.address);
    const { timers, scheduler } = start(transport, { cdsIntervalMs: 0 });
    await collector.waitFor((c) => c.counts().instanceProperties === 1, 5_000);
    await collector.stop();
    await timers.fire(HEARTBEAT);
    await vi.waitFor(
      () => expect(transport.backends()[0]?.health === 'unhealthy').toBe(true),
      RECOVERY,
    );
    const restarted = await collectorFor({ port });
    // Recovery is noticed by the channel reconnecting on its own, without any heartbeat firing.
    await restarted.waitFor((c) => c.counts().instanceProperties === 1, 15_000);
    expect(restarted.counts().keepAlives).toBe(0);
    scheduler.stop();
  });

  it('calls only the first usable backend, and none while no backend is usable', async () => {
    const first = await collectorFor({ configuration: { uuid: 'u', values: {} } });
    const second = await collectorFor({ configuration: { uuid: 'u', values: {} } });
    const transport = transportFor([first.address, second.address]);
    let usable: string[] = [second.address];
    const { timers, scheduler } = start(transport, { usable: () => usable });
    await second.waitFor((c) => c.counts().instanceProperties === 1, 5_000);
    usable = [];
    await timers.fire(HEARTBEAT);
    await timers.fire(CDS);
    await timers.fire(HEARTBEAT);
    expect(first.requests()).toEqual([]);
    expect(second.counts().keepAlives).toBe(0);
    scheduler.stop();
  });

  it('hands changed configuration to the callback once and keeps the UUID', async () => {
    const collector = await collectorFor({
      configuration: { uuid: 'v1', values: { 'agent.sample_rate': '5000' } },
    });
    const transport = transportFor(collector.address);
    const { timers, updates, scheduler } = start(transport);
    await vi.waitFor(() => expect(updates.length === 1).toBe(true), RECOVERY);
    expect(updates[0]).toEqual({ uuid: 'v1', values: { 'agent.sample_rate': '5000' } });
    await timers.fire(CDS);
    await collector.waitFor((c) => c.counts().configurationFetches === 2, 5_000);
    collector.setConfiguration({ uuid: 'v2', values: { 'agent.sample_rate': '1' } });
    await timers.fire(CDS);
    await vi.waitFor(() => expect(updates.length === 2).toBe(true), RECOVERY);
    expect(updates.map((u) => u.uuid)).toEqual(['v1', 'v2']);
    expect(scheduler.uuid).toBe('v2');
    scheduler.stop();
  });

  it('stops re-arming once the transport is closed', async () => {
    const collector = await collectorFor();
    const transport = transportFor(collector.address);
    const { timers } = start(transport);
    await collector.waitFor((c) => c.counts().configurationFetches === 1, 5_000);
    transport.close();
    await timers.fire(HEARTBEAT);
    await timers.fire(CDS);
    expect(timers.delays()).toEqual([]);
  });

  it('rejects bad intervals', () => {
    const transport = transportFor('127.0.0.1:1');
    expect(() => start(transport, { heartbeatIntervalMs: 0 })).toThrow(/heartbeatIntervalMs/);
    expect(() => start(transport, { cdsIntervalMs: -1 })).toThrow(/cdsIntervalMs/);
  });
});

describe('configurationIn', () => {
  it('reads the UUID and settings and ignores other commands', () => {
    expect(configurationIn([{ command: 'Other', args: [] }])).toBeUndefined();
    expect(
      configurationIn([
        {
          command: 'ConfigurationDiscoveryCommand',
          args: [
            { key: 'SerialNumber', value: '7' },
            { key: 'UUID', value: 'x' },
            { key: 'a', value: '1' },
          ],
        },
      ]),
    ).toEqual({ uuid: 'x', values: { a: '1' } });
  });
});
