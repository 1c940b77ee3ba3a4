import { AGENTS, type AgentName } from './agents/index.js';
import { type BenchOptions } from './options.js';
import { type ChildResult } from './protocol.js';
import { type Receiver, waitForDeliveries } from './receivers.js';
import { runChild } from './run-child.js';
import { taskFor } from './suite.js';

/** One observation during a recovery run, on the parent's clock (ms since the child's load started). */
export interface RecoverySample {
  atMs: number;
  produced: number;
  delivered: number;
  /** What the agent says it holds, if it says. */
  backlog: number | null;
}

export interface RecoveryResult {
  agent: AgentName;
  unit: string;
  outageMs: number;
  /** When the backend refused connections and when it listened again. */
  downAtMs: number;
  upAtMs: number;
  /** From `upAt` to the first item the receiver acknowledged; null if none arrived. */
  firstDeliveryMs: number | null;
  /**
   * From `upAt` until produced − delivered, past its peak after `upAt`, came within 5 % of that peak's height above
   * its final level; null if nothing arrived.
   */
  drainedMs: number | null;
  /** produced − delivered with the backend up before the outage: what is normally queued or lingering. */
  steadyGap: number;
  /** produced − delivered at the end of the run: items the outage cost for good (plus the steady gap). */
  finalGap: number;
  peakGap: number;
  peakBacklog: number | null;
  child: ChildResult;
  delivered: number;
  samples: RecoverySample[];
}

/** A backlog within this share of its swing above the final level counts as drained. */
const DRAINED_WITHIN = 0.05;
const DELIVERY_POLL_MS = 50;

/**
 * Loads one agent while its backend is up, refuses connections for `outageMs`, then comes back, sampling what the
 * agent produced and what the receiver acknowledged. Works the same for every agent because it counts at both ends
 * instead of asking the agent.
 */
export async function runRecovery(
  agent: AgentName,
  receiver: Receiver,
  options: BenchOptions,
): Promise<RecoveryResult> {
  const { beforeMs, outageMs, afterMs } = options.recovery;
  await receiver.setState('up');
  receiver.clear();

  const samples: RecoverySample[] = [];
  const timers: NodeJS.Timeout[] = [];
  let startedAt = 0;
  let downAtMs = Number.NaN;
  let upAtMs = Number.NaN;
  let firstDeliveryAtMs: number | null = null;
  let deliveredAtUp = 0;
  const since = () => performance.now() - startedAt;

  const poll = setInterval(() => {
    if (
      firstDeliveryAtMs === null &&
      !Number.isNaN(upAtMs) &&
      receiver.delivered() > deliveredAtUp
    ) {
      firstDeliveryAtMs = since();
    }
  }, DELIVERY_POLL_MS);

  let child: ChildResult;
  try {
    const task = {
      ...taskFor(agent, receiver.address, options),
      durationMs: beforeMs + outageMs + afterMs,
      progressIntervalMs: 100,
    };
    child = await runChild(
      task,
      (message) => {
        if (message.type === 'load-started') {
          startedAt = performance.now();
          timers.push(
            setTimeout(() => {
              void receiver.setState('refused').then(() => (downAtMs = since()));
            }, beforeMs),
            setTimeout(() => {
              void receiver.setState('up').then(() => {
                upAtMs = since();
                deliveredAtUp = receiver.delivered();
              });
            }, beforeMs + outageMs),
          );
        } else if (message.type === 'progress') {
          samples.push({
            atMs: since(),
            produced: message.produced,
            delivered: receiver.delivered(),
            backlog: message.backlog ?? null,
          });
        }
      },
      () => waitForDeliveries(receiver, options.flushTimeoutMs),
    );
  } finally {
    clearInterval(poll);
    for (const timer of timers) clearTimeout(timer);
    await receiver.setState('up');
  }

  return {
    agent,
    unit: AGENTS[agent].unit,
    outageMs,
    downAtMs,
    upAtMs,
    ...analyseRecovery(samples, { beforeMs, upAtMs, firstDeliveryAtMs }),
    child,
    delivered: receiver.delivered(),
    samples,
  };
}

/** Reads the recovery figures out of the samples; pure, so it is tested on its own. */
export function analyseRecovery(
  samples: readonly RecoverySample[],
  marks: { beforeMs: number; upAtMs: number; firstDeliveryAtMs: number | null },
): Pick<
  RecoveryResult,
  'firstDeliveryMs' | 'drainedMs' | 'steadyGap' | 'finalGap' | 'peakGap' | 'peakBacklog'
> {
  const gap = (sample: RecoverySample) => sample.produced - sample.delivered;
  const median = (values: number[]) => {
    const sorted = values.sort((a, b) => a - b);
    return sorted.length === 0 ? 0 : sorted[Math.floor(sorted.length / 2)]!;
  };
  const steadyGap = median(
    samples.filter((s) => s.atMs >= marks.beforeMs / 2 && s.atMs < marks.beforeMs).map(gap),
  );
  const last = samples[samples.length - 1];
  const finalGap = last === undefined ? 0 : gap(last);
  const peakGap = samples.reduce((peak, sample) => Math.max(peak, gap(sample)), 0);
  const backlogs = samples.flatMap((s) => (s.backlog === null ? [] : [s.backlog]));
  const peakBacklog = backlogs.length === 0 ? null : Math.max(...backlogs);

  const firstDeliveryMs =
    marks.firstDeliveryAtMs === null ? null : Math.max(0, marks.firstDeliveryAtMs - marks.upAtMs);
  let drainedMs: number | null = null;
  if (firstDeliveryMs !== null) {
    // Drain from the highest backlog after the backend came back, not from the backlog at that moment: an agent
    // still waiting to probe keeps piling up (or dropping) items after the backend is up again.
    const after = samples.filter((s) => s.atMs >= marks.upAtMs);
    const peakAfter = after.reduce<RecoverySample | undefined>(
      (peak, sample) => (peak === undefined || gap(sample) > gap(peak) ? sample : peak),
      undefined,
    );
    const swing = peakAfter === undefined ? 0 : Math.max(0, gap(peakAfter) - finalGap);
    const threshold = finalGap + DRAINED_WITHIN * swing;
    const drained = after.find((s) => s.atMs >= (peakAfter?.atMs ?? 0) && gap(s) <= threshold);
    drainedMs =
      drained === undefined ? null : Math.max(firstDeliveryMs, drained.atMs - marks.upAtMs);
  }
  return { firstDeliveryMs, drainedMs, steadyGap, finalGap, peakGap, peakBacklog };
}
