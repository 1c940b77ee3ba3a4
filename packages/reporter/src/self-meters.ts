// The agent's health as `windsock_agent_*` gauges, so that OAP can chart it per instance with the rule file
// `oap/windsock.yaml`. Counts are running totals, as `status()` shows them; the rule file turns them into increases.
import type { MeterRegistry } from '@windsock/core';
import { DROP_REASONS } from '@windsock/queue';
import type { BackendSet } from '@windsock/resilience';
import type { TransportResult } from '@windsock/transport';
import type { Pipeline, PipelineName } from './pipeline.js';

/** Names of the agent's health meters (labels: `pipeline`, plus `reason` for drops; `backend` for the breaker). */
export const AGENT_METER = {
  produced: 'windsock_agent_produced',
  delivered: 'windsock_agent_delivered',
  queued: 'windsock_agent_queued',
  queuedBytes: 'windsock_agent_queued_bytes',
  inFlight: 'windsock_agent_in_flight',
  dropped: 'windsock_agent_dropped',
  breakerState: 'windsock_agent_breaker_state',
} as const;

/** 0 closed, 1 half-open, 2 open, 3 isolated: an OAP dashboard can plot it as a line. */
const BREAKER_LEVEL = { closed: 0, 'half-open': 1, open: 2, isolated: 3 } as const;

export function registerSelfMeters(
  meter: MeterRegistry,
  pipelines: Record<PipelineName, Pipeline>,
  backends: BackendSet<TransportResult>,
): void {
  for (const pipeline of Object.values(pipelines)) {
    const labels = { pipeline: pipeline.name };
    const stats = (): ReturnType<Pipeline['stats']> => pipeline.stats();
    meter.gauge(AGENT_METER.produced, labels, () => stats().produced);
    meter.gauge(AGENT_METER.delivered, labels, () => stats().delivered);
    meter.gauge(AGENT_METER.queued, labels, () => stats().queued);
    meter.gauge(AGENT_METER.queuedBytes, labels, () => stats().queuedBytes);
    meter.gauge(AGENT_METER.inFlight, labels, () => stats().inFlight);
    for (const reason of DROP_REASONS) {
      meter.gauge(AGENT_METER.dropped, { ...labels, reason }, () => stats().dropped[reason]);
    }
  }
  for (const backend of backends.list) {
    const labels = { backend: backend.address };
    meter.gauge(AGENT_METER.breakerState, labels, () => BREAKER_LEVEL[backend.policy.state]);
  }
}
