// What the agent tells about its own health on its diagnostic output (stderr or the `diagnostics` option): breaker
// transitions and queue overflow episodes. Every line is written as the agent's, so no capture reports it.
import { runAsAgent, type DiagnosticLogger } from '@windsock/core';
import type { BackendSet } from '@windsock/resilience';
import { describeError, type TransportResult } from '@windsock/transport';
import type { PipelineName } from './pipeline.js';

/**
 * One line when a backend goes down (with the reason) and one when it is back, both at `warn`; each kind at most once
 * per throttle window per backend, so a flapping backend cannot flood stderr. The probes in between (open ⇄
 * half-open) are only shown at `debug`. Returns the function that stops watching.
 */
export function tellBreakerChanges(
  backends: BackendSet<TransportResult>,
  diagnostics: DiagnosticLogger,
): () => void {
  return backends.onStateChange((address, { state, previous }) => {
    runAsAgent(() => {
      const key = `breaker:${address}:${state}`;
      const line = `backend ${address}: breaker ${previous} → ${state}`;
      if (state === 'closed') {
        // A breaker closes only after it opened: the end of an outage is told at the level its start was.
        diagnostics.warn(key, `${line}: reporting again`);
      } else if (state === 'open' && previous === 'closed') {
        const lastError = backends.list
          .find((b) => b.address === address)
          ?.policy.snapshot().lastError;
        const reason = lastError === undefined ? '' : ` (${describeError(lastError)})`;
        diagnostics.warn(key, `${line}${reason}: holding data, probing with keepAlive`);
      } else if (state === 'isolated') {
        diagnostics.warn(key, `${line}: isolated by hand`);
      } else {
        diagnostics.debug(key, line);
      }
    });
  });
}

/**
 * An overflow episode's start, and at its end how much it dropped, both at `warn`: whoever was told that data is
 * being dropped is told how much was lost. The running total too, since an end line that fell in the throttle's
 * window is still counted in the next.
 */
export function tellOverflow(
  diagnostics: DiagnosticLogger,
  pipeline: PipelineName,
  phase: 'start' | 'end',
  dropped: number,
  droppedSinceStart: number,
): void {
  runAsAgent(() => {
    if (phase === 'start') {
      diagnostics.warn(
        `overflow:${pipeline}`,
        `${pipeline} queue is full: dropping the oldest items until it drains`,
      );
    } else {
      diagnostics.warn(
        `overflow-end:${pipeline}`,
        `${pipeline} queue has room again; ${dropped} items were dropped meanwhile (${droppedSinceStart} since start)`,
      );
    }
  });
}
