import { status } from '@grpc/grpc-js';
import { fault } from '@windsock/collector';
import { describe, expect, it, vi } from 'vitest';
import {
  eventFrame,
  INSTANCE,
  logFrame,
  meterFrame,
  ping,
  segmentFrames,
  SERVICE,
} from '../test/fixtures.js';
import { closedPort, collectorFor, RECOVERY, transportFor } from '../test/harness.js';

/** Both ways of writing a client stream: every fault must read the same through each. */
const CLIENT_STREAMS = ['burst', 'grpc-js'] as const;

describe('delivery', () => {
  it.each(['unary', 'stream'] as const)(
    'delivers segment batches with %s calls and reports the backend',
    async (segmentsCall) => {
      const collector = await collectorFor();
      const transport = transportFor(collector.address, { segmentsCall });
      const result = await transport.sendSegments(segmentFrames(64));
      expect(result).toEqual({ ok: true, commands: [], backend: collector.address });
      expect(collector.counts().segments).toBe(64);
      expect(collector.segments().map((s) => s.traceSegmentId)).toEqual(
        segmentFrames(64).map((_, i) => `s-${i}`),
      );
    },
  );

  it('sends segments as a collect stream by default, as SkyWalking agents do', async () => {
    const collector = await collectorFor();
    const transport = transportFor(collector.address);
    expect((await transport.sendSegments(segmentFrames(3))).ok).toBe(true);
    expect(collector.requests().map((r) => r.method)).toEqual([
      '/skywalking.v3.TraceSegmentReportService/collect',
    ]);
    expect(collector.counts().segments).toBe(3);
  });

  it('delivers logs, meters, events, heartbeats and instance properties with agent metadata', async () => {
    const collector = await collectorFor({ token: 'secret' });
    const transport = transportFor(collector.address, { authentication: 'secret' });
    expect((await transport.sendLogs([logFrame('a'), logFrame('b')])).ok).toBe(true);
    expect((await transport.sendMeters([meterFrame('m', 1)])).ok).toBe(true);
    expect((await transport.sendEvents([eventFrame('start')])).ok).toBe(true);
    const properties = [{ key: 'language', value: 'nodejs' }];
    const reported = await transport.reportInstanceProperties({ ...ping, properties });
    expect(reported.ok).toBe(true);
    expect((await transport.keepAlive(ping)).ok).toBe(true);
    const counts = collector.counts();
    expect([counts.logs, counts.meters, counts.events]).toEqual([2, 1, 1]);
    expect(collector.logs().map((log) => log.body?.text?.text)).toEqual(['a', 'b']);
    const [instance] = collector.instances();
    expect(instance).toMatchObject({
      service: SERVICE,
      serviceInstance: INSTANCE,
      properties,
      keepAlives: 1,
      agentVersion: 'test-1.0',
    });
    expect(collector.requests().every((r) => r.authentication === 'secret')).toBe(true);
  });

  it('returns configuration commands and none once the UUID is current', async () => {
    const collector = await collectorFor({
      configuration: { uuid: 'v1', values: { 'agent.sample_rate': '5000' } },
    });
    const transport = transportFor(collector.address);
    const first = await transport.fetchConfigurations({ service: SERVICE, uuid: '' });
    expect(first.ok && first.commands[0]?.args).toContainEqual({ key: 'UUID', value: 'v1' });
    const again = await transport.fetchConfigurations({ service: SERVICE, uuid: 'v1' });
    expect(again).toMatchObject({ ok: true, commands: [] });
  });

  it('answers an empty batch without a call', async () => {
    const collector = await collectorFor();
    const transport = transportFor(collector.address);
    expect((await transport.sendSegments([])).ok).toBe(true);
    expect(collector.requests()).toEqual([]);
  });
});

describe.each(CLIENT_STREAMS)('faults (%s client streams)', (clientStreams) => {
  it('refused connection: fails fast and safe, nothing reaches the port', async () => {
    const collector = await collectorFor();
    await collector.setFault(fault.refuse());
    const transport = transportFor(collector.address, { clientStreams });
    const result = await transport.sendSegments(segmentFrames(3));
    expect(result).toMatchObject({ ok: false, code: status.UNAVAILABLE, retry: 'safe' });
    expect(result.ok || result.message).toMatch(/ECONNREFUSED/);
    expect(transport.backends()[0]?.health).toBe('unhealthy');
    expect(collector.requests()).toEqual([]);
  });

  it('unresolvable host: safe', async () => {
    const transport = transportFor('windsock-no-such-host.invalid:11800', { clientStreams });
    const result = await transport.keepAlive(ping);
    expect(result).toMatchObject({ ok: false, code: status.UNAVAILABLE, retry: 'safe' });
  });

  it('blackhole: ends at the deadline, safe; the channel works again afterwards', async () => {
    const collector = await collectorFor();
    await collector.setFault(fault.blackhole());
    const transport = transportFor(collector.address, {
      clientStreams,
      deadlines: { segments: 300 },
    });
    const result = await transport.sendSegments(segmentFrames(2));
    expect(result).toMatchObject({ ok: false, code: status.DEADLINE_EXCEEDED, retry: 'safe' });
    expect(collector.status().heldConnections).toBeGreaterThan(0);
    await collector.setFault(fault.up());
    const recovered = await vi.waitFor(async () => {
      const next = await transport.sendSegments(segmentFrames(2, 'after'));
      expect(next.ok).toBe(true);
      return next;
    }, RECOVERY);
    expect(recovered.backend).toBe(collector.address);
    expect(collector.counts().segments).toBe(2);
  });

  it('delay beyond the deadline: DEADLINE_EXCEEDED after the write is unsafe', async () => {
    const collector = await collectorFor();
    const transport = transportFor(collector.address, { clientStreams, deadlines: { logs: 200 } });
    expect((await transport.keepAlive(ping)).ok).toBe(true);
    await collector.setFault(fault.delay(2_000));
    const result = await transport.sendLogs([logFrame('late')]);
    expect(result).toMatchObject({ ok: false, code: status.DEADLINE_EXCEEDED, retry: 'unsafe' });
    await collector.waitFor((c) => c.counts().calls.aborted === 1, 5_000);
    expect(collector.counts().unacknowledged.logs).toBe(1);
  });

  it('reset mid-stream: unsafe', async () => {
    const collector = await collectorFor();
    const transport = transportFor(collector.address, { clientStreams, segmentsCall: 'stream' });
    await collector.setFault(fault.reset(2));
    const result = await transport.sendSegments(segmentFrames(5));
    expect(result).toMatchObject({ ok: false, code: status.UNAVAILABLE, retry: 'unsafe' });
    expect(collector.counts().unacknowledged.segments).toBeGreaterThan(0);
  });

  it('wrong token: never, and the message names authentication', async () => {
    const collector = await collectorFor({ token: 'right' });
    const transport = transportFor(collector.address, { clientStreams, authentication: 'wrong' });
    const result = await transport.sendSegments(segmentFrames(1));
    expect(result).toMatchObject({ ok: false, code: status.UNAUTHENTICATED, retry: 'never' });
    expect(result.ok || result.message).toMatch(/authentication/);
    expect(transport.backends()[0]?.health).not.toBe('unhealthy');
  });

  const answered: [string, status, 'unsafe' | 'never'][] = [
    ['UNAVAILABLE', status.UNAVAILABLE, 'unsafe'],
    ['ABORTED', status.ABORTED, 'unsafe'],
    ['OUT_OF_RANGE', status.OUT_OF_RANGE, 'unsafe'],
    ['DATA_LOSS', status.DATA_LOSS, 'unsafe'],
    ['RESOURCE_EXHAUSTED without pushback', status.RESOURCE_EXHAUSTED, 'never'],
    ['INVALID_ARGUMENT', status.INVALID_ARGUMENT, 'never'],
    ['PERMISSION_DENIED', status.PERMISSION_DENIED, 'never'],
    ['UNIMPLEMENTED', status.UNIMPLEMENTED, 'never'],
    ['INTERNAL', status.INTERNAL, 'never'],
    ['UNKNOWN', status.UNKNOWN, 'never'],
    ['FAILED_PRECONDITION', status.FAILED_PRECONDITION, 'never'],
  ];
  it.each(answered)('server answers %s: %s', async (_name, code, retry) => {
    const collector = await collectorFor();
    const transport = transportFor(collector.address, { clientStreams });
    await collector.setFault(fault.fail(code));
    const result = await transport.sendMeters([meterFrame('m', 1)]);
    expect(result).toMatchObject({ ok: false, code, retry });
    expect(result.ok || result.pushbackMs).toBeUndefined();
  });

  it.each([status.RESOURCE_EXHAUSTED, status.UNAVAILABLE])(
    'server answers %s with a pushback: safe, with the pushback',
    async (code) => {
      const collector = await collectorFor();
      const transport = transportFor(collector.address, { clientStreams });
      await collector.setFault(fault.fail(code, { pushbackMs: 1_500 }));
      const result = await transport.sendSegments(segmentFrames(4));
      expect(result).toMatchObject({ ok: false, code, retry: 'safe', pushbackMs: 1_500 });
    },
  );
});

describe.each(CLIENT_STREAMS)('cancellation (%s client streams)', (clientStreams) => {
  it('an already aborted signal sends nothing: safe', async () => {
    const collector = await collectorFor();
    const transport = transportFor(collector.address, { clientStreams });
    const result = await transport.sendSegments(segmentFrames(1), { signal: AbortSignal.abort() });
    expect(result).toMatchObject({ ok: false, code: status.CANCELLED, retry: 'safe' });
    expect(collector.requests()).toEqual([]);
  });

  it('abort before the connection is up: safe', async () => {
    const collector = await collectorFor();
    await collector.setFault(fault.blackhole());
    const transport = transportFor(collector.address, { clientStreams });
    const controller = new AbortController();
    const sending = transport.sendLogs([logFrame('x')], { signal: controller.signal });
    await collector.waitFor((c) => c.status().heldConnections > 0, 5_000);
    controller.abort();
    expect(await sending).toMatchObject({ ok: false, code: status.CANCELLED, retry: 'safe' });
    expect(transport.backends()[0]?.health).not.toBe('unhealthy');
  });

  it('abort after the frames were written: unsafe', async () => {
    const collector = await collectorFor();
    await collector.setFault(fault.delay(5_000));
    const transport = transportFor(collector.address, { clientStreams });
    const controller = new AbortController();
    const sending = transport.sendSegments(segmentFrames(3), { signal: controller.signal });
    await collector.waitFor((c) => c.requests().length > 0, 5_000);
    controller.abort();
    expect(await sending).toMatchObject({ ok: false, code: status.CANCELLED, retry: 'unsafe' });
  });
});

describe('backends', () => {
  it('a call that names no backend goes to the first configured, and never fails over', async () => {
    const down = await closedPort();
    const collector = await collectorFor();
    const transport = transportFor([down, collector.address]);
    const result = await transport.sendSegments(segmentFrames(2));
    expect(result).toMatchObject({ ok: false, retry: 'safe', backend: down });
    expect(collector.requests()).toEqual([]);
    expect(transport.backends().map((s) => [s.address, s.health])).toEqual([
      [down, 'unhealthy'],
      [collector.address, 'unknown'],
    ]);
  });

  it('a call addressed to one backend goes there and nowhere else', async () => {
    const down = await closedPort();
    const collector = await collectorFor();
    const transport = transportFor(`${down},${collector.address}`);
    const result = await transport.keepAlive(ping, { backend: down });
    expect(result).toMatchObject({ ok: false, retry: 'safe', backend: down });
    expect(collector.requests()).toEqual([]);
    const unknown = await transport.keepAlive(ping, { backend: '10.0.0.1:1' });
    expect(unknown).toMatchObject({ ok: false, code: status.UNAVAILABLE });
  });

  it('a backend restarted on the same port gets traffic again without a new transport', async () => {
    const collector = await collectorFor();
    const transport = transportFor(collector.address);
    const port = collector.port;
    const healthChanges: string[] = [];
    transport.onHealthChange((_address, health) => healthChanges.push(health));
    expect((await transport.sendSegments(segmentFrames(1, 'before'))).ok).toBe(true);
    await collector.stop();
    const during = await transport.sendSegments(segmentFrames(1, 'during'));
    expect(during.ok).toBe(false);
    const restarted = await collectorFor({ port });
    const after = await vi.waitFor(async () => {
      const result = await transport.sendSegments(segmentFrames(1, 'after'));
      expect(result.ok).toBe(true);
      return result;
    }, RECOVERY);
    expect(after.backend).toBe(restarted.address);
    expect(restarted.segments().map((s) => s.traceSegmentId)).toEqual(['after-0']);
    expect(healthChanges).toEqual(['healthy', 'unhealthy', 'healthy']);
  });
});

describe('close', () => {
  it('cancels calls in flight and answers later calls without sending', async () => {
    const collector = await collectorFor();
    await collector.setFault(fault.delay(10_000));
    const transport = transportFor(collector.address);
    const inFlight = transport.sendSegments(segmentFrames(1));
    await collector.waitFor((c) => c.requests().length > 0, 5_000);
    transport.close();
    expect(await inFlight).toMatchObject({ ok: false, code: status.CANCELLED, retry: 'unsafe' });
    const later = await transport.keepAlive(ping);
    expect(later).toMatchObject({ ok: false, code: status.CANCELLED, retry: 'never' });
    expect(transport.closed).toBe(true);
    expect(transport.backends()[0]?.connectivity).toBe('SHUTDOWN');
  });
});
