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

/** Repeats `attempt` until it returns a truthy value, pausing between tries; fails after `tries`. */
export async function eventually<T>(
  attempt: () => Promise<T | undefined | false> | T | undefined | false,
  tries = 100,
  pauseMs = 100,
): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const value = await attempt();
    if (value) return value;
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
  }
  throw new Error(`still failing after ${tries} tries`);
}

afterEach(async () => {
  for (const transport of transports.splice(0)) transport.close();
  await Promise.all(collectors.splice(0).map((collector) => collector.stop()));
});
