import { status } from '@grpc/grpc-js';
import { fault } from '@windsock/collector';
import { describe, expect, it, vi } from 'vitest';
import { logFrame, meterFrame, ping } from '../test/fixtures.js';
import { closedPort, collectorFor, RECOVERY, transportFor } from '../test/harness.js';
import { type Transport } from './index.js';

const MODES = ['burst', 'grpc-js'] as const;
const lines = (count: number, prefix: string): Uint8Array[] =>
  Array.from({ length: count }, (_, i) => logFrame(`${prefix}-${i} ${'x'.repeat(100)}`));

/** Event-loop turns (setImmediate callbacks) that pass while `work` runs. */
async function turnsDuring(work: () => Promise<unknown>): Promise<number> {
  let turns = 0;
  let running = true;
  const tick = (): void => {
    turns += 1;
    if (running) setImmediate(tick);
  };
  setImmediate(tick);
  await work();
  running = false;
  return turns;
}

describe('client streams written in one burst', () => {
  it.each(MODES)(
    '%s: a batch larger than the HTTP/2 flow-control window arrives whole and in order',
    async (clientStreams) => {
      const collector = await collectorFor({ retain: 5_000 });
      const transport = transportFor(collector.address, { clientStreams });
      const batch = lines(2_000, clientStreams); // ≈ 240 KB, four times the initial 64 KiB window
      expect(await transport.sendLogs(batch)).toEqual({
        ok: true,
        commands: [],
        backend: collector.address,
      });
      const texts = collector.logs().map((log) => log.body?.text?.text);
      expect(texts).toHaveLength(2_000);
      expect(texts[0]).toMatch(new RegExp(`^${clientStreams}-0 `));
      expect(texts.every((text, i) => text?.startsWith(`${clientStreams}-${i} `))).toBe(true);
      expect(collector.counts().calls).toMatchObject({ acknowledged: 1 });
    },
  );

  it('costs a few event-loop turns per batch, where grpc-js takes one per message', async () => {
    const collector = await collectorFor({ retain: 10 });
    const burst = transportFor(collector.address);
    const grpc = transportFor(collector.address, { clientStreams: 'grpc-js' });
    const batch = lines(500, 'turns');
    // Connections up first: what is compared is the call, not the handshake.
    expect((await burst.sendLogs(batch.slice(0, 1))).ok).toBe(true);
    expect((await grpc.sendLogs(batch.slice(0, 1))).ok).toBe(true);
    const burstTurns = await turnsDuring(() => burst.sendLogs(batch));
    const grpcTurns = await turnsDuring(() => grpc.sendLogs(batch));
    expect(collector.counts().logs).toBe(1_002);
    expect(burstTurns).toBeLessThan(25);
    expect(grpcTurns).toBeGreaterThan(250);
  });

  it('sends the agent metadata and user agent on its own connection', async () => {
    const collector = await collectorFor({ token: 'secret' });
    const transport = transportFor(collector.address, { authentication: 'secret' });
    expect((await transport.sendLogs([logFrame('a')])).ok).toBe(true);
    expect((await transport.sendMeters([meterFrame('m', 1)])).ok).toBe(true);
    const requests = collector.requests();
    expect(requests).toHaveLength(2);
    expect(requests.every((r) => r.authentication === 'secret')).toBe(true);
  });

  it('refused: UNAVAILABLE, safe, naming the connection error', async () => {
    const transport = transportFor(await closedPort());
    const result = await transport.sendLogs([logFrame('x')]);
    expect(result).toMatchObject({ ok: false, code: status.UNAVAILABLE, retry: 'safe' });
    expect(result.ok || result.message).toMatch(/ECONNREFUSED/);
    expect(transport.backends()[0]?.health).toBe('unhealthy');
  });

  it('unresolvable host: UNAVAILABLE, safe', async () => {
    const transport = transportFor('windsock-no-such-host.invalid:11800');
    const result = await transport.sendLogs([logFrame('x')]);
    expect(result).toMatchObject({ ok: false, code: status.UNAVAILABLE, retry: 'safe' });
  });

  it('blackhole: no HTTP/2 handshake, so DEADLINE_EXCEEDED is safe; it reconnects once the backend answers', async () => {
    const collector = await collectorFor();
    await collector.setFault(fault.blackhole());
    const transport = transportFor(collector.address, { deadlines: { logs: 300 } });
    const result = await transport.sendLogs([logFrame('held')]);
    expect(result).toMatchObject({ ok: false, code: status.DEADLINE_EXCEEDED, retry: 'safe' });
    expect(collector.status().heldConnections).toBeGreaterThan(0);
    await collector.setFault(fault.up());
    await vi.waitFor(
      async () => expect((await transport.sendLogs([logFrame('after')])).ok).toBe(true),
      RECOVERY,
    );
    expect(collector.logs().map((log) => log.body?.text?.text)).toEqual(['after']);
  });

  it('a failure the server answers carries its message and pushback', async () => {
    const collector = await collectorFor();
    const transport = transportFor(collector.address);
    await collector.setFault(fault.fail(status.RESOURCE_EXHAUSTED, { pushbackMs: 1_500 }));
    const pushed = await transport.sendLogs([logFrame('x')]);
    expect(pushed).toMatchObject({
      ok: false,
      code: status.RESOURCE_EXHAUSTED,
      retry: 'safe',
      pushbackMs: 1_500,
    });
    expect(pushed.ok || pushed.message).toMatch(/^RESOURCE_EXHAUSTED: /);
    await collector.setFault(fault.fail(status.UNAVAILABLE));
    expect(await transport.sendLogs([logFrame('y')])).toMatchObject({
      ok: false,
      code: status.UNAVAILABLE,
      retry: 'unsafe',
    });
  });

  it('wrong token: UNAUTHENTICATED, never, with the authentication hint', async () => {
    const collector = await collectorFor({ token: 'right' });
    const transport = transportFor(collector.address, { authentication: 'wrong' });
    const result = await transport.sendLogs([logFrame('x')]);
    expect(result).toMatchObject({ ok: false, code: status.UNAUTHENTICATED, retry: 'never' });
    expect(result.ok || result.message).toMatch(/authentication/);
    expect(collector.counts().logs).toBe(0);
  });

  it('a backend restarted on the same port gets the next batches on a new connection', async () => {
    const collector = await collectorFor();
    const transport = transportFor(collector.address);
    const port = collector.port;
    expect((await transport.sendLogs([logFrame('before')])).ok).toBe(true);
    await collector.stop();
    expect((await transport.sendLogs([logFrame('during')])).ok).toBe(false);
    const restarted = await collectorFor({ port });
    await vi.waitFor(
      async () => expect((await transport.sendLogs([logFrame('after')])).ok).toBe(true),
      RECOVERY,
    );
    expect(restarted.logs().map((log) => log.body?.text?.text)).toEqual(['after']);
  });

  it('abort after the batch was written: CANCELLED, unsafe; close() cancels calls in flight', async () => {
    const collector = await collectorFor();
    await collector.setFault(fault.delay(10_000));
    const transport: Transport = transportFor(collector.address);
    const controller = new AbortController();
    const aborted = transport.sendLogs([logFrame('a')], { signal: controller.signal });
    await collector.waitFor((c) => c.requests().length === 1, 5_000);
    controller.abort();
    expect(await aborted).toMatchObject({ ok: false, code: status.CANCELLED, retry: 'unsafe' });
    const inFlight = transport.sendLogs([logFrame('b')]);
    await collector.waitFor((c) => c.requests().length === 2, 5_000);
    transport.close();
    expect(await inFlight).toMatchObject({ ok: false, code: status.CANCELLED, retry: 'unsafe' });
    expect(await transport.sendLogs([logFrame('c')])).toMatchObject({ ok: false, retry: 'never' });
  });

  it('heartbeats and unary calls stay on the grpc-js channel', async () => {
    const collector = await collectorFor();
    const transport = transportFor(collector.address);
    expect((await transport.keepAlive(ping)).ok).toBe(true);
    expect(transport.backends()[0]?.connectivity).toBe('READY');
  });
});
