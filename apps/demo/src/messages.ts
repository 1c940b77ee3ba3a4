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
}

export type ServiceMessage =
  | { type: 'ready'; service: ServiceName; port: number }
  | { type: 'status'; sample: ServiceSample }
  | { type: 'fatal'; service: ServiceName; message: string };

export function isServiceMessage(value: unknown): value is ServiceMessage {
  if (typeof value !== 'object' || value === null) return false;
  const type = (value as { type?: unknown }).type;
  return type === 'ready' || type === 'status' || type === 'fatal';
}
