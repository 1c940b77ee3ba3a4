import { describe, expect, it } from 'vitest';
import { configurationCommands } from './configuration.js';

const serial = () => 'serial-1';

describe('configurationCommands', () => {
  it('answers nothing while no configuration is set', () => {
    expect(configurationCommands(undefined, { service: 's', uuid: '' }, serial)).toEqual({
      commands: [],
    });
  });

  it('sends SerialNumber, UUID and the values to an agent with another UUID', () => {
    const configuration = { uuid: 'v2', values: { 'agent.sample_rate': '5000' } };
    expect(configurationCommands(configuration, { service: 's', uuid: 'v1' }, serial)).toEqual({
      commands: [
        {
          command: 'ConfigurationDiscoveryCommand',
          args: [
            { key: 'SerialNumber', value: 'serial-1' },
            { key: 'UUID', value: 'v2' },
            { key: 'agent.sample_rate', value: '5000' },
          ],
        },
      ],
    });
  });

  it('answers nothing to an agent that already has this UUID', () => {
    const configuration = { uuid: 'v2', values: { a: 'b' } };
    expect(configurationCommands(configuration, { service: 's', uuid: 'v2' }, serial)).toEqual({
      commands: [],
    });
  });
});
