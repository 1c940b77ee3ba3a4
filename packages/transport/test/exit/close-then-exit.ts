// Run as a child process by close.test.ts: uses the transport against a live, a refused and a blackholed backend,
// closes it, and must then exit on its own: no timer, socket or channel of the transport may keep it alive.
import { fault, startCollector } from '@windsock/collector';
import { createTransport, startManagementScheduler } from '../../src/index.js';
import { closedPort } from '../harness-lite.js';
import { logFrame, ping, segmentFrames } from '../fixtures.js';

const live = await startCollector();
const hung = await startCollector();
await hung.setFault(fault.blackhole());
const refused = await closedPort();
const transport = createTransport({
  backends: [live.address, refused, hung.address],
  deadlines: { keepAlive: 200, logs: 200 },
});
// Real, unref'd timers: the scheduler must not keep the process alive either.
startManagementScheduler(transport, {
  service: 'exit-test',
  serviceInstance: 'i',
  properties: [],
  heartbeatIntervalMs: 50,
  cdsIntervalMs: 50,
});
const results = [
  await transport.sendSegments(segmentFrames(2)),
  await transport.keepAlive(ping, { backend: refused }),
  await transport.keepAlive(ping, { backend: hung.address }),
  // Logs go on each backend's own burst connection: it must not keep the process alive either.
  await transport.sendLogs([logFrame('live')], { backend: live.address }),
  await transport.sendLogs([logFrame('refused')], { backend: refused }),
  await transport.sendLogs([logFrame('hung')], { backend: hung.address }),
];
const pending = transport.keepAlive(ping, { backend: hung.address });
const pendingLogs = transport.sendLogs([logFrame('pending')], { backend: hung.address });
transport.close();
results.push(await pending, await pendingLogs);
await live.stop();
await hung.stop();
process.stdout.write(`${JSON.stringify(results.map((r) => (r.ok ? 'ok' : r.retry)))}\n`);
