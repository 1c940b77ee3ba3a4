// The agent's health as one plain object: cheap (counters only), synchronous, and the same numbers the
// self-meters report.
import type { DropReason, QueueStats } from '@windsock/queue';
import type { PolicyState } from '@windsock/resilience';
import type { Backend } from './backends.js';
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

export function backendStatus(backend: Backend): BackendStatus {
  const snapshot = backend.policy.snapshot();
  const status: BackendStatus = {
    address: backend.address,
    breaker: snapshot.state,
    consecutiveFailures: snapshot.consecutiveFailures,
  };
  const lastError = describeError(snapshot.lastError);
  if (lastError !== undefined) status.lastError = lastError;
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

/** A transport failure result, a thrown error, or nothing, as one line. */
export function describeError(error: unknown): string | undefined {
  if (error === undefined || error === null) return undefined;
  if (typeof error === 'object') {
    const { code, message } = error as { code?: unknown; message?: unknown };
    if (typeof message === 'string') {
      const name = typeof code === 'number' ? (GRPC_CODE_NAMES[code] ?? String(code)) : undefined;
      return name === undefined || message.startsWith(name) ? message : `${name}: ${message}`;
    }
    try {
      return JSON.stringify(error);
    } catch {
      return 'unprintable error';
    }
  }
  switch (typeof error) {
    case 'string':
      return error;
    case 'number':
    case 'boolean':
    case 'bigint':
      return error.toString();
    default:
      return typeof error;
  }
}

const GRPC_CODE_NAMES: Record<number, string> = {
  0: 'OK',
  1: 'CANCELLED',
  2: 'UNKNOWN',
  3: 'INVALID_ARGUMENT',
  4: 'DEADLINE_EXCEEDED',
  5: 'NOT_FOUND',
  6: 'ALREADY_EXISTS',
  7: 'PERMISSION_DENIED',
  8: 'RESOURCE_EXHAUSTED',
  9: 'FAILED_PRECONDITION',
  10: 'ABORTED',
  11: 'OUT_OF_RANGE',
  12: 'UNIMPLEMENTED',
  13: 'INTERNAL',
  14: 'UNAVAILABLE',
  15: 'DATA_LOSS',
  16: 'UNAUTHENTICATED',
};
