// What a service tells the demo over its IPC channel. Status travels this way, not over HTTP, so reading it adds
// no traced request, log or connection to the very telemetry the dashboard is showing.
import type { AgentStatus } from 'windsock';

export type ServiceName = 'frontend' | 'inventory';

export interface ServiceSample {
  service: ServiceName;
  pid: number;
  /** Epoch ms when the sample was taken. */
  at: number;
  port: number;
  /** undefined when the agent did not start (its reason is in agentError). */
  agent?: AgentStatus;
  agentError?: string;
  maxBufferBytes?: number;
  heapUsed: number;
  rss: number;
  /** Requests this service answered, and those it answered with an error status. */
  handled: number;
  failed: number;
  /** The demo's injected errors, for a service that has some: absent for one that injects none. */
  injectedErrors?: InjectedErrors;
}

export interface InjectedErrors {
  /** Whether they are switched on (the dashboard's switch, `--no-errors` at start). */
  on: boolean;
  /** The share of the service's requests failed on purpose while they are on. */
  rate: number;
  /** Requests failed on purpose so far. */
  count: number;
}

export type ServiceMessage =
  | { type: 'ready'; service: ServiceName; port: number }
  | { type: 'status'; sample: ServiceSample }
  | { type: 'fatal'; service: ServiceName; message: string };

/** What the demo tells a service over the same channel: the dashboard's switch for the injected errors. */
export type DemoMessage = { type: 'inject-errors'; enabled: boolean };

export function isDemoMessage(value: unknown): value is DemoMessage {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { type?: unknown }).type === 'inject-errors' &&
    typeof (value as { enabled?: unknown }).enabled === 'boolean'
  );
}

export function isServiceMessage(value: unknown): value is ServiceMessage {
  if (typeof value !== 'object' || value === null) return false;
  const type = (value as { type?: unknown }).type;
  return type === 'ready' || type === 'status' || type === 'fatal';
}
