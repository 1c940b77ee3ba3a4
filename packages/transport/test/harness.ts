import { type Collector, startCollector } from '@windsock/collector';
import { afterEach } from 'vitest';
import { createTransport, type Transport, type TransportOptions } from '../src/index.js';

const transports: Transport[] = [];
const collectors: Collector[] = [];

/**
 * A transport closed after the test. Its channels keep subchannels of their own: grpc-js otherwise shares them
 * process-wide by address, and a collector listening on a port an earlier test's collector used would inherit that
 * test's failed connection, so a call made at once fails UNAVAILABLE before it ever reaches the new collector.
 */
export function transportFor(
  backends: TransportOptions['backends'],
  options: Omit<TransportOptions, 'backends'> = {},
): Transport {
  const transport = createTransport({
    agentVersion: 'test-1.0',
    ...options,
    channelOptions: { 'grpc.use_local_subchannel_pool': 1, ...options.channelOptions },
    backends,
  });
  transports.push(transport);
  return transport;
}

/** A collector on 127.0.0.1, stopped after the test. */
export async function collectorFor(
  options: Parameters<typeof startCollector>[0] = {},
): Promise<Collector> {
  const collector = await startCollector(options);
  collectors.push(collector);
  return collector;
}

export { closedPort } from './harness-lite.js';

/** How long `vi.waitFor` polls for a backend to come back: a reconnect takes up to the reconnect delay. */
export const RECOVERY = { timeout: 10_000, interval: 100 } as const;

afterEach(async () => {
  for (const transport of transports.splice(0)) transport.close();
  await Promise.all(collectors.splice(0).map((collector) => collector.stop()));
});
