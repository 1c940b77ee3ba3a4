// A report loop against a backend that is down for a while: the policy refuses sends while the breaker is open,
// probes with keepAlive, and lets data through again once a probe succeeds.
// Run: node --import tsx examples/report-loop.ts
import { createReportPolicy } from '@windsock/resilience';

/** The transport's result shape: the policy knows none, it is told how to read one. */
type SendResult = { ok: true } | { ok: false; retry: 'safe' | 'unsafe' | 'never' };

let backendUp = false;
const transport = {
  sendSegments: (_frames: string[], _options: { signal: AbortSignal }): Promise<SendResult> =>
    Promise.resolve(backendUp ? { ok: true } : { ok: false, retry: 'safe' }),
  keepAlive: (_signal: AbortSignal): Promise<SendResult> =>
    Promise.resolve(backendUp ? { ok: true } : { ok: false, retry: 'safe' }),
};

const policy = createReportPolicy<SendResult>({
  isFailure: (result) => !result.ok,
  // Only a failure that cannot have reached the server is sent again: a retry never duplicates data.
  isRetryable: (result) => !result.ok && result.retry === 'safe',
  probe: (signal) => transport.keepAlive(signal),
  retry: { maxAttempts: 1, initialDelayMs: 10, maxDelayMs: 50 },
  halfOpen: { initialDelayMs: 20, maxDelayMs: 100 },
});
const stopWatching = policy.onStateChange(({ previous, state }) => {
  process.stdout.write(`breaker ${previous} → ${state}\n`);
});

const frames = ['segment-1', 'segment-2'];
setTimeout(() => (backendUp = true), 300); // the backend comes back after 300 ms

for (let batch = 1; batch <= 40; batch++) {
  const outcome = await policy.execute((signal) => transport.sendSegments(frames, { signal }));
  if (outcome.ok) {
    process.stdout.write(`batch ${batch} delivered after ${outcome.attempts} attempt(s)\n`);
    break;
  }
  // Sleep exactly until the next probe is due while open; otherwise a short pause.
  const pauseMs = Math.max(10, (policy.nextProbeAt ?? 0) - Date.now());
  await new Promise((resolve) => setTimeout(resolve, pauseMs));
}

const { state, probes, probeFailures, rejections } = policy.snapshot();
process.stdout.write(`${JSON.stringify({ state, probes, probeFailures, rejections })}\n`);
stopWatching();
policy.dispose();
