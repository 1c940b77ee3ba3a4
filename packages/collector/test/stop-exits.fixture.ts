// Run as a child process by stop.test.ts: starts collectors, leaves every kind of work in flight, stops them, and
// must then exit on its own. A handle left open by stop() would keep this process alive.
import { connect } from 'node:net';
import { TraceSegmentReportServiceDefinition } from '@windsock/protocol';
import { fault, startCollector, startControlServer } from '../src/index.js';
import { AgentClient } from './agent-client.js';
import { segment } from './fixtures.js';

const collector = await startCollector();
const control = await startControlServer(collector);
const client = new AgentClient(collector.address);
await client.stream(TraceSegmentReportServiceDefinition.collect, [segment('delivered')]);
await fetch(`${control.url}/counts`);

await collector.setFault(fault.delay(600_000));
const delayed = client
  .stream(TraceSegmentReportServiceDefinition.collect, [segment('delayed')])
  .then(
    () => 'acknowledged',
    () => 'failed',
  );
await collector.waitFor((c) => c.requests().length === 2, 10_000);
const waiting = collector
  .waitFor(() => false, 600_000)
  .then(
    () => 'resolved',
    () => 'rejected',
  );

const hung = await startCollector();
await hung.setFault(fault.blackhole());
const held = connect({ port: hung.port, host: '127.0.0.1' });
held.on('error', () => {});
await hung.waitFor((c) => c.status().heldConnections === 1, 10_000);
const flapping = await startCollector();
await flapping.setFault(fault.flap(60_000));

await Promise.all([control.stop(), collector.stop(), hung.stop(), flapping.stop()]);
client.close();
console.log(
  JSON.stringify({ delayed: await delayed, waiting: await waiting, counts: collector.counts() }),
);
