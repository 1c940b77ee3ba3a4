import { credentials, status } from '@grpc/grpc-js';
import {
  ManagementServiceDefinition,
  TraceSegmentReportServiceDefinition,
} from '@windsock/protocol';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { AgentClient, callError } from '../test/agent-client.js';
import { makeTestCertificates, type TestCertificates } from './test-certificates.js';
import { segment } from '../test/fixtures.js';
import { POLL } from '../test/net.js';
import { type Collector, startCollector } from './collector.js';
import { fault } from './fault.js';

let certs: TestCertificates;
let collector: Collector | undefined;
const clients: AgentClient[] = [];

beforeAll(() => {
  certs = makeTestCertificates();
});

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await collector?.stop();
  collector = undefined;
});

function client(address: string, creds: ReturnType<typeof credentials.createSsl>): AgentClient {
  // The certificate names localhost; naming it avoids sending an IP address as TLS server name (RFC 6066).
  const created = new AgentClient(address, {
    credentials: creds,
    channelOptions: { 'grpc.ssl_target_name_override': 'localhost' },
  });
  clients.push(created);
  return created;
}

const ping = (agent: AgentClient) =>
  agent.unary(
    ManagementServiceDefinition.keepAlive,
    { service: 's', serviceInstance: 'i', layer: '' },
    { deadline: Date.now() + 10_000 },
  );

describe('TLS', () => {
  it('serves over TLS to a client that trusts the CA, and not in plain text', async () => {
    collector = await startCollector({ tls: { cert: certs.serverCert, key: certs.serverKey } });
    const trusting = client(collector.address, credentials.createSsl(certs.ca));
    await trusting.stream(TraceSegmentReportServiceDefinition.collect, [segment('secure')]);
    expect(collector.segments().map((s) => s.traceId)).toEqual(['secure']);

    const plaintext = new AgentClient(collector.address);
    clients.push(plaintext);
    expect((await callError(ping(plaintext))).code).toBe(status.UNAVAILABLE);
    const distrusting = client(collector.address, credentials.createSsl(certs.otherCa));
    expect((await callError(ping(distrusting))).code).toBe(status.UNAVAILABLE);
    expect(collector.counts().calls.acknowledged).toBe(1);
  });

  it('keeps TLS through refuse and up', async () => {
    collector = await startCollector({ tls: { cert: certs.serverCert, key: certs.serverKey } });
    const agent = client(collector.address, credentials.createSsl(certs.ca));
    await ping(agent);
    await collector.setFault(fault.refuse());
    await collector.setFault(fault.up());
    // The client may first try the connection the refuse dropped; it reconnects, over TLS again.
    // A TLS call succeeds after up.
    await vi.waitFor(() => ping(agent), POLL);
    expect(collector.counts().keepAlives).toBe(2);
  });
});

describe('faults over TLS', () => {
  it('reset drops the TLS connection mid-stream and nothing is acknowledged', async () => {
    collector = await startCollector({ tls: { cert: certs.serverCert, key: certs.serverKey } });
    const agent = client(collector.address, credentials.createSsl(certs.ca));
    await collector.setFault(fault.reset(1));
    const error = await callError(
      agent.stream(TraceSegmentReportServiceDefinition.collect, [segment('a'), segment('b')]),
    );
    expect(error.code).toBe(status.UNAVAILABLE);
    expect(collector.counts()).toMatchObject({
      segments: 0,
      unacknowledged: { segments: 2 },
      calls: { aborted: 1 },
    });
  });
});

describe('mTLS', () => {
  it('accepts a client certificate signed by clientCa and rejects a client without one', async () => {
    collector = await startCollector({
      tls: { cert: certs.serverCert, key: certs.serverKey, clientCa: certs.ca },
    });
    const withCertificate = client(
      collector.address,
      credentials.createSsl(certs.ca, certs.clientKey, certs.clientCert),
    );
    await ping(withCertificate);

    const withoutCertificate = client(collector.address, credentials.createSsl(certs.ca));
    expect((await callError(ping(withoutCertificate))).code).toBe(status.UNAVAILABLE);
    expect(collector.counts()).toMatchObject({ keepAlives: 1, calls: { acknowledged: 1 } });
  });
});
