import { fault, startCollector } from '@windsock/collector';
import { type ReceiverKind } from './agents/index.js';
import { type BackendState } from './backend-state.js';
import { startOtlpSink } from './otlp-sink.js';

/** The backend an agent reports to, in the parent process: it counts what it acknowledged and can fail on demand. */
export interface Receiver {
  readonly address: string;
  /** Items acknowledged since the last `clear()`: segments for SkyWalking, spans for OTLP. */
  delivered(): number;
  setState(state: BackendState): Promise<void>;
  clear(): void;
  stop(): Promise<void>;
}

const LISTENER_FAULTS = {
  up: fault.up,
  refused: fault.refuse,
  blackhole: fault.blackhole,
} as const;

export async function startReceiver(kind: ReceiverKind): Promise<Receiver> {
  switch (kind) {
    case 'none':
      return {
        address: '',
        delivered: () => 0,
        setState: () => Promise.resolve(),
        clear: () => {},
        stop: () => Promise.resolve(),
      };
    case 'skywalking': {
      // Retain nothing decoded: the benchmark needs counts only, and the parent's memory is not what is measured.
      const collector = await startCollector({ port: 0, retain: 1 });
      return {
        address: collector.address,
        delivered: () => collector.counts().segments,
        setState: (state) => collector.setFault(LISTENER_FAULTS[state]()),
        clear: () => collector.clear(),
        stop: () => collector.stop(),
      };
    }
    case 'otlp': {
      const sink = await startOtlpSink();
      return {
        address: sink.address,
        delivered: () => sink.spans(),
        setState: (state) => sink.setState(state),
        clear: () => sink.clear(),
        stop: () => sink.stop(),
      };
    }
  }
}

/** How long the delivered count must stay still before a run's deliveries count as complete. */
export const SETTLED_AFTER_MS = 1500;

/**
 * Resolves once `receiver.delivered()` has not changed for `quietMs` (longer than the slowest peer's 1 s report
 * tick), or after `timeoutMs` in any case.
 */
export async function waitForDeliveries(
  receiver: Receiver,
  timeoutMs: number,
  quietMs = SETTLED_AFTER_MS,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  let last = receiver.delivered();
  let stillSince = performance.now();
  while (performance.now() < deadline && performance.now() - stillSince < quietMs) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const now = receiver.delivered();
    if (now !== last) {
      last = now;
      stillSince = performance.now();
    }
  }
}
