// The agent's accounting, checked from outside: the identity of every `status()` sample, and the agent's
// `delivered` against what the collector acknowledged.
import type { AgentStatus, PipelineStatus } from 'windsock';

export const PIPELINES = ['segments', 'logs', 'meters'] as const;
export type PipelineName = (typeof PIPELINES)[number];

export function droppedTotal(pipeline: PipelineStatus): number {
  return Object.values(pipeline.dropped).reduce((sum, n) => sum + n, 0);
}

/** `produced = delivered + Σ dropped + queued + inFlight` for every pipeline; returns the pipelines where it fails. */
export function identityViolations(status: AgentStatus): string[] {
  const violations: string[] = [];
  for (const name of PIPELINES) {
    const p = status.pipelines[name];
    const accounted = p.delivered + droppedTotal(p) + p.queued + p.inFlight;
    if (accounted !== p.produced) {
      violations.push(
        `${name}: produced ${p.produced} ≠ delivered ${p.delivered} + dropped ${droppedTotal(p)} + queued ${p.queued} + inFlight ${p.inFlight}`,
      );
    }
  }
  return violations;
}

export type Counts = Record<PipelineName, number>;

export function sumCounts(counts: readonly Counts[]): Counts {
  const total: Counts = { segments: 0, logs: 0, meters: 0 };
  for (const c of counts) for (const name of PIPELINES) total[name] += c[name];
  return total;
}

/**
 * The collector's acknowledged counts against the agent's `delivered`: delivered ≤ acknowledged ≤ delivered +
 * unacknowledged. Equal in a quiet run; the one window no server can close is an OK written just before the
 * connection broke or the client's deadline fired, which the agent rightly counts as `unacknowledged` (and never
 * re-sends). Nothing delivered is unknown to the collector; nothing is counted twice.
 */
export function deliveryMismatches(status: AgentStatus, acknowledged: Counts): string[] {
  const problems: string[] = [];
  for (const name of PIPELINES) {
    const p = status.pipelines[name];
    const got = acknowledged[name];
    if (got < p.delivered || got > p.delivered + p.dropped.unacknowledged) {
      problems.push(
        `${name}: collector acknowledged ${got}, agent delivered ${p.delivered} (unacknowledged ${p.dropped.unacknowledged})`,
      );
    }
  }
  return problems;
}
