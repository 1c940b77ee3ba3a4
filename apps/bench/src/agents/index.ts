/** Which receiver an agent reports to, and what it calls its unit of delivery. */
export type ReceiverKind = 'none' | 'skywalking' | 'otlp';

export interface AgentConfiguration {
  name: AgentName;
  /** Module under src/agents/ that the measured child process imports to start the agent. */
  module: string;
  receiver: ReceiverKind;
  unit: 'segments' | 'spans' | '-';
}

export type AgentName = 'none' | 'windsock' | 'skywalking' | 'opentelemetry';

export const AGENTS: Record<AgentName, AgentConfiguration> = {
  none: { name: 'none', module: 'none.ts', receiver: 'none', unit: '-' },
  windsock: { name: 'windsock', module: 'windsock.ts', receiver: 'skywalking', unit: 'segments' },
  skywalking: {
    name: 'skywalking',
    module: 'skywalking.ts',
    receiver: 'skywalking',
    unit: 'segments',
  },
  opentelemetry: {
    name: 'opentelemetry',
    module: 'opentelemetry.ts',
    receiver: 'otlp',
    unit: 'spans',
  },
};

export function isAgentName(value: string): value is AgentName {
  return Object.hasOwn(AGENTS, value);
}
