import { startCollector } from '@windsock/collector';

/** A port nothing listens on: bound once by a collector that is then stopped. */
export async function closedPort(): Promise<string> {
  const collector = await startCollector();
  const address = collector.address;
  await collector.stop();
  return address;
}
