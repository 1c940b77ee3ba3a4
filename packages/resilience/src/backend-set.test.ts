import { describe, expect, it } from 'vitest';
import { sendResultClassifier, type SendResult } from '../test/send-result.js';
import { BackendSet, type BackendSetOptions } from './backend-set.js';

const OK: SendResult = { ok: true };
const SAFE: SendResult = { ok: false, retry: 'safe' };
const UNSAFE: SendResult = { ok: false, retry: 'unsafe' };
const NEVER: SendResult = { ok: false, retry: 'never' };

/** A hand-driven clock: the breaker's probe schedule is read against it, so no test waits for real time. */
function clock(start = 1_000_000): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms) };
}

/** Backends that answer from a table and record every call they get, in order. */
function backends(answers: Record<string, SendResult>): {
  calls: string[];
  send: (address: string) => Promise<SendResult>;
} {
  const calls: string[] = [];
  return {
    calls,
    send: (address) => {
      calls.push(address);
      return Promise.resolve(answers[address] ?? OK);
    },
  };
}

function createSet(
  addresses: string[],
  overrides: Partial<BackendSetOptions<SendResult>> = {},
): BackendSet<SendResult> {
  return new BackendSet<SendResult>({
    addresses,
    classifier: sendResultClassifier,
    policy: {
      breaker: { kind: 'consecutive', threshold: 1 },
      retry: { maxAttempts: 2, initialDelayMs: 0, maxDelayMs: 0 },
      halfOpen: { initialDelayMs: 5_000, maxDelayMs: 5_000 },
    },
    ...overrides,
  });
}

const signal = new AbortController().signal;

describe('BackendSet options', () => {
  it('lists every bad option in one OptionsError, the policy options included', () => {
    expect(
      () =>
        new BackendSet<SendResult>({
          addresses: [],
          classifier: { ...sendResultClassifier, isRejected: undefined as never },
          policy: { timeoutMs: 0 },
        }),
    ).toThrow(
      'windsock resilience: invalid options (3 problems):\n' +
        '  - addresses = []: expected at least one backend address\n' +
        '  - classifier.isRejected = undefined: expected a function\n' +
        '  - policy.timeoutMs = 0: expected a number of ms > 0 and ≤ 2147483647',
    );
  });
});

describe('BackendSet.send', () => {
  it('delivers through the first backend and records when', async () => {
    const time = clock();
    const set = createSet(['a:1', 'b:1'], { now: time.now });
    const { calls, send } = backends({});
    expect(await set.send(send, signal)).toEqual({ kind: 'delivered' });
    expect(calls).toEqual(['a:1']);
    expect(set.list[0]?.lastSuccessAt).toBe(time.now());
    expect(set.list[1]?.lastSuccessAt).toBeUndefined();
  });

  it('fails over only after a failure that cannot have reached the server, without retrying the first', async () => {
    const set = createSet(['a:1', 'b:1'], {
      policy: {
        breaker: { kind: 'consecutive', threshold: 5 },
        retry: { maxAttempts: 2, initialDelayMs: 0, maxDelayMs: 0 },
      },
    });
    const { calls, send } = backends({ 'a:1': SAFE });
    expect(await set.send(send, signal)).toEqual({ kind: 'delivered' });
    expect(calls).toEqual(['a:1', 'b:1']);
  });

  it('never re-sends what may have arrived: an unsafe failure is lost as unacknowledged', async () => {
    const set = createSet(['a:1', 'b:1']);
    const { calls, send } = backends({ 'a:1': UNSAFE });
    expect(await set.send(send, signal)).toEqual({
      kind: 'lost',
      reason: 'unacknowledged',
      pauseMs: 0,
    });
    expect(calls).toEqual(['a:1']);
  });

  it('a permanent refusal is lost as rejected', async () => {
    const set = createSet(['a:1']);
    const { send } = backends({ 'a:1': NEVER });
    expect(await set.send(send, signal)).toMatchObject({ kind: 'lost', reason: 'rejected' });
  });

  it('retries on a single backend, where there is nowhere to fail over to', async () => {
    const set = createSet(['a:1'], {
      policy: {
        breaker: { kind: 'consecutive', threshold: 5 },
        retry: { maxAttempts: 2, initialDelayMs: 0, maxDelayMs: 0 },
      },
    });
    const { calls, send } = backends({ 'a:1': SAFE });
    expect(await set.send(send, signal)).toMatchObject({ kind: 'kept' });
    expect(calls).toEqual(['a:1', 'a:1', 'a:1']);
  });

  it('skips a backend whose breaker is open, and keeps the batch until the earliest probe when all are', async () => {
    const time = clock();
    const set = createSet(['a:1', 'b:1'], { now: time.now });
    const down = backends({ 'a:1': SAFE, 'b:1': SAFE });
    const first = await set.send(down.send, signal);
    expect(set.states()).toEqual(['open', 'open']);
    expect(set.usable()).toEqual([]);
    expect(set.isOpen('a:1')).toBe(true);
    const earliest = Math.min(...set.list.map((b) => b.policy.nextProbeAt ?? Infinity));
    expect(first).toEqual({ kind: 'kept', pauseMs: earliest - time.now() });

    time.advance(100);
    const calls = down.calls.length;
    expect(await set.send(down.send, signal)).toEqual({
      kind: 'kept',
      pauseMs: earliest - time.now(),
    });
    expect(down.calls.length).toBe(calls); // nothing was sent to an open backend
    set.dispose();
  });

  it('keeps the longest pushback of the backends that refused', async () => {
    const set = createSet(['a:1', 'b:1'], {
      policy: { breaker: { kind: 'consecutive', threshold: 5 } },
    });
    const { send } = backends({
      'a:1': { ok: false, retry: 'safe', pushbackMs: 60_000 },
      'b:1': { ok: false, retry: 'safe', pushbackMs: 30_000 },
    });
    expect(await set.send(send, signal)).toEqual({ kind: 'kept', pauseMs: 60_000 });
  });

  it('sends nothing once the signal is aborted', async () => {
    const set = createSet(['a:1']);
    const { calls, send } = backends({});
    expect(await set.send(send, AbortSignal.abort())).toMatchObject({ kind: 'kept' });
    expect(calls).toEqual([]);
  });

  it('a classifier that throws never makes send reject', async () => {
    const set = new BackendSet<SendResult>({
      addresses: ['a:1'],
      classifier: {
        ...sendResultClassifier,
        isRetryable: () => {
          throw new Error('bug');
        },
        isRejected: () => {
          throw new Error('bug');
        },
      },
      policy: { retry: { maxAttempts: 0 } },
    });
    const { send } = backends({ 'a:1': SAFE });
    expect(await set.send(send, signal)).toMatchObject({ kind: 'lost', reason: 'unacknowledged' });
  });
});

describe('BackendSet.undeliverableBefore', () => {
  it('aborts at once when every breaker is open with its next probe after the deadline', async () => {
    const time = clock();
    const set = createSet(['a:1'], { now: time.now });
    await set.send(backends({ 'a:1': SAFE }).send, signal);
    const probeAt = set.list[0]?.policy.nextProbeAt ?? Number.NaN;
    expect(set.undeliverableBefore(probeAt).signal.aborted).toBe(true);
    expect(set.undeliverableBefore(probeAt + 1).signal.aborted).toBe(false);
  });

  it('aborts when the last usable backend opens, told by the state change rather than a timer', async () => {
    const time = clock();
    const set = createSet(['a:1', 'b:1'], { now: time.now });
    const watch = set.undeliverableBefore(time.now() + 1);
    expect(watch.signal.aborted).toBe(false);
    await set.send(backends({ 'a:1': SAFE }).send, signal);
    expect(watch.signal.aborted).toBe(false); // b:1 took the batch: still deliverable
    await set.send(backends({ 'b:1': SAFE }).send, signal);
    expect(watch.signal.aborted).toBe(true);
    expect(set.list.every((b) => b.policy.listenerCount === 0)).toBe(true);
  });

  it('release() stops watching', () => {
    const set = createSet(['a:1']);
    const watch = set.undeliverableBefore(Date.now() + 1_000);
    expect(set.list[0]?.policy.listenerCount).toBe(1);
    watch.release();
    expect(set.list[0]?.policy.listenerCount).toBe(0);
  });
});

describe('BackendSet.onStateChange', () => {
  it('tells each transition with the backend it belongs to', async () => {
    const set = createSet(['a:1', 'b:1']);
    const seen: string[] = [];
    const unsubscribe = set.onStateChange((address, { previous, state }) =>
      seen.push(`${address} ${previous}→${state}`),
    );
    await set.send(backends({ 'a:1': SAFE }).send, signal);
    expect(seen).toEqual(['a:1 closed→open']);
    unsubscribe();
    expect(set.list[0]?.policy.listenerCount).toBe(0);
  });
});
