// What OAP shows about this process: the keys the Java and Node.js agents use.
import { hostname, networkInterfaces, type } from 'node:os';
import type { KeyStringValuePair } from '@windsock/protocol';

export function instanceProperties(agentVersion: string): KeyStringValuePair[] {
  const properties: KeyStringValuePair[] = [
    { key: 'language', value: 'Node.js' },
    { key: 'OS Name', value: type() },
    { key: 'hostname', value: hostname() },
    { key: 'Process No.', value: String(process.pid) },
    { key: 'Node.js Version', value: process.version },
    { key: 'agent', value: `windsock ${agentVersion}` },
  ];
  for (const addresses of Object.values(networkInterfaces())) {
    for (const address of addresses ?? []) {
      if (address.family === 'IPv4' && !address.internal)
        properties.push({ key: 'ipv4', value: address.address });
    }
  }
  return properties;
}
