// The agent's health as one plain object: cheap (counters only), synchronous, and the same numbers the
// self-meters report.
import type { DropReason, QueueStats } from '@windsock/queue';
import type { BackendEntry, PolicyState } from '@windsock/resilience';
import { describeError, type TransportResult } from '@windsock/transport';
import type { PipelineName } from './pipeline.js';

export type AgentState = 'connected' | 'degraded' | 'disconnected' | 'stopped';

export interface BackendStatus {
  address: string;
  breaker: PolicyState;
  consecutiveFailures: number;
  lastError?: string;
  lastSuccessAt?: number;
}

export interface PipelineStatus {
  produced: number;
  delivered: number;
  queued: number;
  queuedBytes: number;
  inFlight: number;
  dropped: Record<DropReason, number>;
}

export interface AgentStatus {
  state: AgentState;
  backends: BackendStatus[];
  pipelines: Record<PipelineName, PipelineStatus>;
}

export function pipelineStatus(stats: QueueStats): PipelineStatus {
  const { produced, delivered, queued, queuedBytes, inFlight, dropped } = stats;
  return { produced, delivered, queued, queuedBytes, inFlight, dropped };
}

export function backendStatus(backend: BackendEntry<TransportResult>): BackendStatus {
  const snapshot = backend.policy.snapshot();
  const status: BackendStatus = {
    address: backend.address,
    breaker: snapshot.state,
    consecutiveFailures: snapshot.consecutiveFailures,
  };
  if (snapshot.lastError !== undefined) status.lastError = describeError(snapshot.lastError);
  if (backend.lastSuccessAt !== undefined) status.lastSuccessAt = backend.lastSuccessAt;
  return status;
}

/** connected: every breaker closed; disconnected: none usable; degraded: in between. */
export function agentState(breakers: readonly PolicyState[], stopped: boolean): AgentState {
  if (stopped) return 'stopped';
  const usable = breakers.filter((b) => b === 'closed' || b === 'half-open').length;
  if (usable === 0) return 'disconnected';
  return breakers.every((b) => b === 'closed') ? 'connected' : 'degraded';
}
