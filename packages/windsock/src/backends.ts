// One report policy (breaker ∘ retry ∘ timeout, with keepAlive as the half-open probe) per backend, shared by the
// three pipelines: a backend that is down is down for segments, logs and meters alike, and is probed once, not
// three times. `send` walks the backends in configuration order, skipping those whose breaker is open, and fails
// over to the next only after a failure that cannot have reached the server — failover never duplicates data.
import {
  createReportPolicy,
  sendResultClassifier,
  type ExecuteOutcome,
  type PolicyState,
  type ReportPolicy,
} from '@windsock/resilience';
import type { TransportResult } from '@windsock/transport';
import type { AgentConfig } from './config.js';

export interface Backend {
  readonly address: string;
  readonly policy: ReportPolicy<TransportResult>;
  lastSuccessAt: number | undefined;
}

export type SendFn = (address: string, signal: AbortSignal) => Promise<TransportResult>;

/** The result of sending one batch: what happened, and how long the caller should rest before the next. */
export type SendOutcome =
  | { kind: 'delivered' }
  /** Nothing of the batch can have reached a backend: keep it. */
  | { kind: 'kept'; pauseMs: number }
  /** It may have arrived (never re-send), or a backend refused it for good. */
  | { kind: 'lost'; reason: 'unacknowledged' | 'rejected'; pauseMs: number };

export class Backends {
  readonly list: readonly Backend[];

  constructor(
    config: AgentConfig,
    probe: (address: string, signal: AbortSignal) => Promise<TransportResult>,
    private readonly now: () => number = () => Date.now(),
  ) {
    this.list = config.collector.map((address) => ({
      address,
      lastSuccessAt: undefined,
      policy: createReportPolicy<TransportResult>({
        ...sendResultClassifier,
        probe: (signal) => probe(address, signal),
        // The transport's own deadline ends a call first, with its precise classification; this is the backstop.
        timeoutMs: config.reportTimeoutMs + 1_000,
        retry: {
          // With another backend to fail over to, a batch that cannot have reached this one goes there at once:
          // retrying here first would hold every pipeline back while the dead backend's breaker fills up.
          maxAttempts: config.collector.length > 1 ? 0 : config.retryMaxAttempts,
          initialDelayMs: config.retryInitialDelayMs,
          maxDelayMs: config.retryMaxDelayMs,
        },
        breaker: { kind: 'consecutive', threshold: config.breakerThreshold },
        halfOpen: { initialDelayMs: config.probeMinDelayMs, maxDelayMs: config.probeMaxDelayMs },
        now: this.now,
      }),
    }));
  }

  /** For the transport and the heartbeat: stay quiet towards a backend whose breaker is open. */
  isOpen = (address: string): boolean => {
    const state = this.list.find((b) => b.address === address)?.policy.state;
    return state === 'open' || state === 'isolated';
  };

  /** Sends through the first backend that will take it; see the file comment. Never rejects. */
  async send(sendTo: SendFn, signal: AbortSignal): Promise<SendOutcome> {
    let pushbackMs = 0;
    for (const backend of this.list) {
      if (signal.aborted) break;
      const outcome = await backend.policy.execute((s) => sendTo(backend.address, s), { signal });
      if (outcome.ok) {
        backend.lastSuccessAt = this.now();
        return { kind: 'delivered' };
      }
      const verdict = classify(outcome);
      if (verdict === 'kept') {
        pushbackMs = Math.max(pushbackMs, outcome.pushbackMs ?? 0);
        continue; // nothing reached this backend: the next one may take it
      }
      return { kind: 'lost', reason: verdict, pauseMs: outcome.pushbackMs ?? 0 };
    }
    return { kind: 'kept', pauseMs: Math.max(pushbackMs, this.restMs()) };
  }

  /** How long until any backend may be tried again: 0 if one is usable now. */
  restMs(): number {
    let earliest = Number.POSITIVE_INFINITY;
    for (const backend of this.list) {
      const { state, nextProbeAt } = backend.policy;
      if (state === 'closed' || state === 'half-open') return 0;
      if (state === 'open' && nextProbeAt !== undefined) earliest = Math.min(earliest, nextProbeAt);
    }
    // All isolated: look again in a second rather than never.
    return Number.isFinite(earliest) ? Math.max(0, earliest - this.now()) : 1_000;
  }

  states(): PolicyState[] {
    return this.list.map((b) => b.policy.state);
  }

  dispose(): void {
    for (const backend of this.list) backend.policy.dispose();
  }
}

/** Invariant 5: only what cannot have reached the server is kept for another try. */
function classify(
  outcome: ExecuteOutcome<TransportResult> & { ok: false },
): 'kept' | 'unacknowledged' | 'rejected' {
  switch (outcome.reason) {
    case 'open':
    case 'isolated':
      return 'kept';
    case 'cancelled':
      return outcome.attempts === 0 ? 'kept' : 'unacknowledged';
    case 'timeout':
      return 'unacknowledged';
    case 'failed': {
      const result = outcome.value;
      if (result !== undefined && !result.ok) {
        if (result.retry === 'safe') return 'kept';
        if (result.retry === 'never') return 'rejected';
      }
      return 'unacknowledged';
    }
  }
}
