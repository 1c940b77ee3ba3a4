/** Which receiver an agent reports to, and what it calls its unit of delivery. */
export type ReceiverKind = 'none' | 'skywalking' | 'otlp';

export interface AgentConfiguration {
  name: AgentName;
  /** Module under src/agents/ that the measured child process imports to start the agent. */
  module: string;
  receiver: ReceiverKind;
  unit: 'segments' | 'spans' | '-';
  /**
   * Items a fully traced request yields, to tell how many requests an agent traced at all (measured at low load).
   * OpenTelemetry: 4 spans (the load client's call, /a's server and client spans, /b's server span). windsock: 3
   * segments (the load client's call starts one, then /a with entry + exit, then /b). The Apache agent: 2, /a's and
   * /b's: it starts no segment for an exit call outside any trace.
   */
  itemsPerRequest: number;
}

export type AgentName =
  | 'none'
  | 'floor'
  | 'floor-segments'
  | 'windsock'
  | 'windsock-http'
  | 'windsock-unsampled'
  | 'skywalking'
  | 'opentelemetry';

export const AGENTS: Record<AgentName, AgentConfiguration> = {
  none: { name: 'none', module: 'none.ts', receiver: 'none', unit: '-', itemsPerRequest: 0 },
  // Context per request and a header per call, nothing else: the cost no agent can avoid (issue 22).
  floor: { name: 'floor', module: 'floor.ts', receiver: 'none', unit: '-', itemsPerRequest: 0 },
  // The floor plus windsock's three segments per request encoded and discarded: a ceiling for the traced cases.
  'floor-segments': {
    name: 'floor-segments',
    module: 'floor-segments.ts',
    receiver: 'none',
    unit: 'segments',
    itemsPerRequest: 3,
  },
  windsock: {
    name: 'windsock',
    module: 'windsock.ts',
    receiver: 'skywalking',
    unit: 'segments',
    itemsPerRequest: 3,
  },
  // The same agent without its web framework plugins, to isolate their cost in the same run (`--app=express`).
  'windsock-http': {
    name: 'windsock-http',
    module: 'windsock-http.ts',
    receiver: 'skywalking',
    unit: 'segments',
    itemsPerRequest: 3,
  },
  // At sample rate 0, in the same run as the traced agent and the floor (issue 22's unsampled target).
  'windsock-unsampled': {
    name: 'windsock-unsampled',
    module: 'windsock-unsampled.ts',
    receiver: 'skywalking',
    unit: 'segments',
    itemsPerRequest: 3,
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
