import type { Commands, ConfigurationSyncRequest } from '@windsock/protocol';

/** The configuration the collector hands out through `ConfigurationDiscoveryService`. */
export interface AgentConfiguration {
  /** The configuration's signature: an agent that reports this UUID already has it and gets no command. */
  uuid: string;
  /** Agent settings as SkyWalking sends them: string values, e.g. `{ 'agent.sample_rate': '5000' }`. */
  values: Record<string, string>;
}

export const CONFIGURATION_DISCOVERY_COMMAND = 'ConfigurationDiscoveryCommand';

/**
 * The answer to `fetchConfigurations`, shaped like OAP's: one `ConfigurationDiscoveryCommand` whose args are
 * `SerialNumber`, `UUID`, then the settings; empty Commands when nothing is configured or the agent is up to date.
 */
export function configurationCommands(
  configuration: AgentConfiguration | undefined,
  request: ConfigurationSyncRequest,
  serialNumber: () => string,
): Commands {
  if (configuration === undefined || request.uuid === configuration.uuid) return { commands: [] };
  return {
    commands: [
      {
        command: CONFIGURATION_DISCOVERY_COMMAND,
        args: [
          { key: 'SerialNumber', value: serialNumber() },
          { key: 'UUID', value: configuration.uuid },
          ...Object.entries(configuration.values).map(([key, value]) => ({ key, value })),
        ],
      },
    ],
  };
}
