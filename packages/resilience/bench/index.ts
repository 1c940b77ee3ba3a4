// ns/op of policy.execute around an already-resolved async function, against the bare call, in closed and open
// state; cockatiel's own composition alongside for reference. `pnpm bench`.
import { benchAsync, printTable, type BenchResult } from '@windsock/bench-kit';
import {
  ConsecutiveBreaker,
  TimeoutStrategy,
  circuitBreaker,
  handleAll,
  retry,
  timeout,
  wrap,
} from 'cockatiel';
import { createReportPolicy } from '../src/index.js';
import { sendResultClassifier, type SendResult } from '../test/send-result.js';

const OK: SendResult = { ok: true };
const resolved = (): Promise<SendResult> => Promise.resolve(OK);

const closed = createReportPolicy<SendResult>({ ...sendResultClassifier });

// The half-open delay is a day, so the breaker stays open for the whole run.
const open = createReportPolicy<SendResult>({
  ...sendResultClassifier,
  probe: resolved,
  halfOpen: { initialDelayMs: 86_400_000, maxDelayMs: 86_400_000 },
});
for (let i = 0; i < 5; i++)
  await open.execute(() => Promise.resolve({ ok: false, retry: 'never' }));
if (open.state !== 'open') throw new Error('expected an open breaker');

const cockatielClosed = wrap(
  retry(handleAll, { maxAttempts: 2 }).dangerouslyUnref(),
  circuitBreaker(handleAll, { halfOpenAfter: 86_400_000, breaker: new ConsecutiveBreaker(5) }),
  timeout(10_000, TimeoutStrategy.Aggressive).dangerouslyUnref(),
);
const cockatielOpenBreaker = circuitBreaker(handleAll, {
  halfOpenAfter: 86_400_000,
  breaker: new ConsecutiveBreaker(1),
});
await cockatielOpenBreaker.execute(() => Promise.reject(new Error('down'))).catch(() => undefined);

const results: BenchResult[] = [];
results.push(await benchAsync('bare call (await fn())', () => resolved()));
results.push(await benchAsync('policy.execute, closed', () => closed.execute(resolved)));
results.push(
  await benchAsync('policy.execute, open (resolves `open`)', async () => {
    const outcome = await open.execute(resolved);
    if (outcome.ok) throw new Error('breaker closed during the benchmark');
    return outcome;
  }),
);
results.push(
  await benchAsync('cockatiel wrap(retry, breaker, timeout), closed', () =>
    cockatielClosed.execute(resolved),
  ),
);
results.push(
  await benchAsync('cockatiel breaker, open (throws BrokenCircuitError)', () =>
    cockatielOpenBreaker.execute(resolved).catch((error: unknown) => error),
  ),
);

if (Date.now() >= (open.nextProbeAt ?? 0)) throw new Error('the open-state run reached a probe');
printTable('@windsock/resilience: execute around an already-resolved async function', results);
