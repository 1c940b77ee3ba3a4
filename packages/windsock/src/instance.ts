// What OAP shows about this process (the keys the Java and Node.js agents use), and the agent's own version,
// sent as `agent-version` metadata.
import { hostname, networkInterfaces, type } from 'node:os';
import type { KeyStringValuePair } from '@windsock/protocol';

declare const __WINDSOCK_VERSION__: string | undefined;

/** Replaced at build time with the package version; `dev` when running from source (tests). */
export const AGENT_VERSION: string =
  typeof __WINDSOCK_VERSION__ === 'string' ? __WINDSOCK_VERSION__ : '0.0.0-dev';

export function instanceProperties(): KeyStringValuePair[] {
  const properties: KeyStringValuePair[] = [
    { key: 'language', value: 'Node.js' },
    { key: 'OS Name', value: type() },
    { key: 'hostname', value: hostname() },
    { key: 'Process No.', value: String(process.pid) },
    { key: 'Node.js Version', value: process.version },
    { key: 'agent', value: `windsock ${AGENT_VERSION}` },
  ];
  for (const addresses of Object.values(networkInterfaces())) {
    for (const address of addresses ?? []) {
      if (address.family === 'IPv4' && !address.internal)
        properties.push({ key: 'ipv4', value: address.address });
    }
  }
  return properties;
}
