/** Which receiver an agent reports to, and what it calls its unit of delivery. */
export type ReceiverKind = 'none' | 'skywalking' | 'otlp';

export interface AgentConfiguration {
  name: AgentName;
  /** Module under src/agents/ that the measured child process imports to start the agent. */
  module: string;
  receiver: ReceiverKind;
  unit: 'segments' | 'spans' | '-';
  /**
   * Items a fully traced request yields, to tell how many requests an agent traced at all. OpenTelemetry: the load
   * client's span, /a's server and client spans, /b's server span. SkyWalking agents: /a's segment (entry + exit)
   * and /b's; the load client's call has no trace context to continue, so it starts no segment.
   */
  itemsPerRequest: number;
}

export type AgentName = 'none' | 'windsock' | 'skywalking' | 'opentelemetry';

export const AGENTS: Record<AgentName, AgentConfiguration> = {
  none: { name: 'none', module: 'none.ts', receiver: 'none', unit: '-', itemsPerRequest: 0 },
  windsock: {
    name: 'windsock',
    module: 'windsock.ts',
    receiver: 'skywalking',
    unit: 'segments',
    itemsPerRequest: 2,
  },
  skywalking: {
    name: 'skywalking',
    module: 'skywalking.ts',
    receiver: 'skywalking',
    unit: 'segments',
    itemsPerRequest: 2,
  },
  opentelemetry: {
    name: 'opentelemetry',
    module: 'opentelemetry.ts',
    receiver: 'otlp',
    unit: 'spans',
    itemsPerRequest: 4,
  },
};

export function isAgentName(value: string): value is AgentName {
  return Object.hasOwn(AGENTS, value);
}
