import { type Collector, startCollector } from '@windsock/collector';
import { afterEach } from 'vitest';
import { createTransport, type Transport, type TransportOptions } from '../src/index.js';

const transports: Transport[] = [];
const collectors: Collector[] = [];

/** A transport closed after the test. */
export function transportFor(
  backends: TransportOptions['backends'],
  options: Omit<TransportOptions, 'backends'> = {},
): Transport {
  const transport = createTransport({ agentVersion: 'test-1.0', ...options, backends });
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
