import { getEventListeners } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { OptionsError } from '@windsock/options';
import { BoundedQueue } from './bounded-queue.js';
import type { OverflowEvent, QueueStats } from './types.js';

function sumDropped(stats: QueueStats): number {
  return Object.values(stats.dropped).reduce((a, b) => a + b, 0);
}

function expectIdentity(queue: { stats(): QueueStats }): QueueStats {
  const s = queue.stats();
  expect(s.produced).toBe(s.delivered + sumDropped(s) + s.queued + s.inFlight);
  return s;
}

describe('BoundedQueue construction', () => {
  it.each([
    [{ maxItems: 0, maxBytes: 10 }, /maxItems/],
    [{ maxItems: -1, maxBytes: 10 }, /maxItems/],
    [{ maxItems: 1.5, maxBytes: 10 }, /maxItems/],
    [{ maxItems: Number.NaN, maxBytes: 10 }, /maxItems/],
    [{ maxItems: 10, maxBytes: 0 }, /maxBytes/],
    [{ maxItems: 10, maxBytes: Number.POSITIVE_INFINITY }, /maxBytes/],
    [{ maxItems: 10, maxBytes: -5 }, /maxBytes/],
    [{ maxItems: 10, maxBytes: 10, maxAgeMs: -1 }, /maxAgeMs/],
    [{ maxItems: 10, maxBytes: 10, maxAgeMs: Number.NaN }, /maxAgeMs/],
    [{ maxItems: 10, maxBytes: 10, overflow: 'drop-random' }, /overflow/],
    [{ maxItems: 10, maxBytes: 10, now: 5 }, /now = 5: expected a function/],
  ])('rejects %o with an OptionsError naming the option', (options, name) => {
    expect(() => new BoundedQueue(options as never)).toThrow(OptionsError);
    expect(() => new BoundedQueue(options as never)).toThrow(name);
  });

  it('lists every bad option in one error, not only the first', () => {
    expect(
      () => new BoundedQueue({ maxItems: 0, maxBytes: -5, overflow: 'drop-random' } as never),
    ).toThrow(
      'windsock queue: invalid options (3 problems):\n' +
        '  - maxItems = 0: expected an integer ≥ 1\n' +
        '  - maxBytes = -5: expected a finite number > 0\n' +
        '  - overflow = "drop-random": expected one of "drop-oldest", "drop-newest"',
    );
  });

  it('rejects a missing options object with an OptionsError, a TypeError', () => {
    expect(() => new BoundedQueue(undefined as never)).toThrow(OptionsError);
    expect(() => new BoundedQueue(undefined as never)).toThrow(TypeError);
  });

  it('defaults to drop-oldest', () => {
    expect(new BoundedQueue({ maxItems: 1, maxBytes: 1 }).overflow).toBe('drop-oldest');
  });
});

describe('offer', () => {
  it('accepts items in FIFO order and counts them', () => {
    const q = new BoundedQueue<string>({ maxItems: 10, maxBytes: 100 });
    expect(q.offer('a', 1)).toBe('accepted');
    expect(q.offer('b', 2)).toBe('accepted');
    const s = expectIdentity(q);
    expect(s).toMatchObject({ produced: 2, queued: 2, queuedBytes: 3 });
    expect(q.take()?.items).toEqual(['a', 'b']);
  });

  it.each([Number.NaN, -1, Number.POSITIVE_INFINITY, '5' as unknown as number, 101])(
    'rejects bytes %s as rejected, counted, not thrown',
    (bytes) => {
      const q = new BoundedQueue<string>({ maxItems: 10, maxBytes: 100 });
      expect(q.offer('x', bytes)).toBe('rejected');
      const s = expectIdentity(q);
      expect(s.dropped.rejected).toBe(1);
      expect(s.queued).toBe(0);
    },
  );

  it('accepts an item exactly the size of the byte budget', () => {
    const q = new BoundedQueue<string>({ maxItems: 10, maxBytes: 100 });
    expect(q.offer('x', 100)).toBe('accepted');
  });

  it('drop-oldest displaces the oldest items to fit the newest (items and bytes)', () => {
    const q = new BoundedQueue<string>({ maxItems: 3, maxBytes: 10 });
    q.offer('a', 3);
    q.offer('b', 3);
    q.offer('c', 3);
    expect(q.offer('d', 1)).toBe('displaced'); // item limit: a goes
    expect(q.offer('e', 7)).toBe('displaced'); // items and bytes: b and c go (1 + 7 fits after them)
    const s = expectIdentity(q);
    expect(s.dropped.overflow).toBe(3);
    expect(q.take()?.items).toEqual(['d', 'e']);
  });

  it('drop-newest keeps what is queued and drops the newcomer', () => {
    const q = new BoundedQueue<string>({ maxItems: 2, maxBytes: 100, overflow: 'drop-newest' });
    q.offer('a', 1);
    q.offer('b', 1);
    expect(q.offer('c', 1)).toBe('overflow');
    expectIdentity(q);
    expect(q.take()?.items).toEqual(['a', 'b']);
  });

  it('never drops the batch in flight: when it alone leaves no room, the newcomer is dropped', () => {
    const q = new BoundedQueue<string>({ maxItems: 10, maxBytes: 10 });
    q.offer('a', 8);
    const batch = q.take()!;
    expect(q.offer('b', 3)).toBe('overflow');
    expect(q.offer('c', 2)).toBe('accepted');
    const s = expectIdentity(q);
    expect(s.queuedBytes + s.inFlightBytes).toBeLessThanOrEqual(10);
    q.settle(batch, { kind: 'delivered' });
    expect(q.offer('d', 8)).toBe('accepted');
    expectIdentity(q);
  });

  it('counts offers after close as shutdown', async () => {
    const q = new BoundedQueue<string>({ maxItems: 10, maxBytes: 10 });
    q.offer('a', 1);
    await q.close();
    expect(q.offer('b', 1)).toBe('shutdown');
    expect(q.discard('shutdown')).toBe(1);
    const s = expectIdentity(q);
    expect(s.dropped.shutdown).toBe(2);
  });

  it('grows its ring past the initial capacity and keeps order', () => {
    const q = new BoundedQueue<number>({ maxItems: 1000, maxBytes: 1e6 });
    for (let i = 0; i < 1000; i++) q.offer(i, 1);
    expect(q.take()?.items).toEqual(Array.from({ length: 1000 }, (_, i) => i));
  });
});

describe('take and settle', () => {
  it('takes at most maxItems and maxBytes, but always at least one item', () => {
    const q = new BoundedQueue<string>({ maxItems: 10, maxBytes: 100 });
    for (const [item, bytes] of [
      ['big', 50],
      ['a', 5],
      ['b', 5],
      ['c', 5],
    ] as const)
      q.offer(item, bytes);
    const first = q.take(10, 20)!;
    expect(first.items).toEqual(['big']);
    expect(first.bytes).toBe(50);
    q.settle(first, { kind: 'delivered' });
    const second = q.take(2, 100)!;
    expect(second.items).toEqual(['a', 'b']);
  });

  it('holds one batch in flight at a time', () => {
    const q = new BoundedQueue<string>({ maxItems: 10, maxBytes: 100 });
    q.offer('a', 1);
    q.offer('b', 1);
    const batch = q.take(1)!;
    expect(q.take(1)).toBeUndefined();
    q.settle(batch, { kind: 'delivered' });
    expect(q.take(1)?.items).toEqual(['b']);
  });

  it('requeue puts the batch back at the head in its original order', () => {
    const q = new BoundedQueue<string>({ maxItems: 10, maxBytes: 100 });
    for (const item of ['a', 'b', 'c', 'd']) q.offer(item, 1);
    const batch = q.take(2)!;
    q.offer('e', 1);
    q.settle(batch, { kind: 'requeue' });
    const s = expectIdentity(q);
    expect(s).toMatchObject({ queued: 5, inFlight: 0, queuedBytes: 5 });
    expect(q.take()?.items).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('requeue wraps around the ring correctly', () => {
    const q = new BoundedQueue<number>({ maxItems: 8, maxBytes: 100 });
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 5; i++) q.offer(round * 10 + i, 1);
      const b = q.take(3)!;
      q.settle(b, { kind: 'requeue' });
      const all = q.take()!;
      expect(all.items).toEqual([0, 1, 2, 3, 4].map((i) => round * 10 + i));
      q.settle(all, { kind: 'delivered' });
    }
  });

  it('settling twice or settling a foreign batch changes nothing', () => {
    const q = new BoundedQueue<string>({ maxItems: 10, maxBytes: 100 });
    const other = new BoundedQueue<string>({ maxItems: 10, maxBytes: 100 });
    q.offer('a', 1);
    other.offer('z', 1);
    const batch = q.take()!;
    const foreign = other.take()!;
    q.settle(foreign, { kind: 'delivered' });
    expect(q.stats().inFlight).toBe(1);
    q.settle(batch, { kind: 'delivered' });
    q.settle(batch, { kind: 'delivered' });
    q.settle(batch, { kind: 'dropped', reason: 'overflow' });
    expect(expectIdentity(q)).toMatchObject({ delivered: 1, inFlight: 0 });
    expect(q.stats().dropped.overflow).toBe(0);
  });

  it('counts a dropped batch under its reason, and an unknown reason as unacknowledged', () => {
    const q = new BoundedQueue<string>({ maxItems: 10, maxBytes: 100 });
    q.offer('a', 1);
    q.offer('b', 1);
    q.settle(q.take(1)!, { kind: 'dropped', reason: 'rejected' });
    q.settle(q.take(1)!, { kind: 'dropped', reason: 'bogus' as never });
    expect(expectIdentity(q).dropped).toMatchObject({ rejected: 1, unacknowledged: 1 });
  });

  it('drops items older than maxAgeMs as expired when they would be taken', () => {
    let now = 1_000;
    const q = new BoundedQueue<string>({
      maxItems: 10,
      maxBytes: 100,
      maxAgeMs: 500,
      now: () => now,
    });
    q.offer('old', 1);
    now += 400;
    q.offer('young', 1);
    now += 200; // old is 600 ms, young 200 ms
    expect(q.take()?.items).toEqual(['young']);
    const s = expectIdentity(q);
    expect(s.dropped.expired).toBe(1);
    expect(s.queuedBytes).toBe(0);
  });

  it('returns undefined when everything expired', () => {
    let now = 0;
    const q = new BoundedQueue<string>({
      maxItems: 10,
      maxBytes: 100,
      maxAgeMs: 10,
      now: () => now,
    });
    q.offer('a', 1);
    now = 100;
    expect(q.take()).toBeUndefined();
    expect(expectIdentity(q).dropped.expired).toBe(1);
  });
});

describe('onRelease', () => {
  it('is told of every item refused by offer: closed, too large, or the newcomer under drop-newest', async () => {
    const released: string[] = [];
    const q = new BoundedQueue<string>({
      maxItems: 1,
      maxBytes: 10,
      overflow: 'drop-newest',
      onRelease: (item) => released.push(item),
    });
    q.offer('kept', 1);
    q.offer('newcomer', 1);
    q.offer('huge', 11);
    q.offer('not a size', Number.NaN);
    await q.close();
    q.offer('late', 1);
    expect(released).toEqual(['newcomer', 'huge', 'not a size', 'late']);
    expect(q.stats().queued).toBe(1);
  });

  it('is told when items leave later, never of a requeued one, and a throw stays inside', () => {
    const released: string[] = [];
    let now = 0;
    const q = new BoundedQueue<string>({
      maxItems: 3,
      maxBytes: 100,
      maxAgeMs: 10,
      now: () => now,
      onRelease: (item) => {
        released.push(item);
        throw new Error('owner bug');
      },
    });
    for (const item of ['a', 'b', 'c']) q.offer(item, 1);
    q.offer('d', 1); // displaces a
    let batch = q.take(1)!;
    q.settle(batch, { kind: 'requeue' });
    batch = q.take(1)!;
    q.settle(batch, { kind: 'delivered' }); // b
    batch = q.take(1)!;
    q.settle(batch, { kind: 'dropped', reason: 'unacknowledged' }); // c
    q.offer('e', 1);
    now = 20;
    q.offer('f', 1);
    expect(q.take()?.items).toEqual(['f']); // d and e expired
    q.offer('g', 1);
    q.discard('shutdown');
    expect(released).toEqual(['a', 'b', 'c', 'd', 'e', 'g']);
  });
});

describe('overflow episodes', () => {
  it('reports one start and one end per episode, never one call per item', () => {
    const events: OverflowEvent[] = [];
    const q = new BoundedQueue<number>({
      maxItems: 2,
      maxBytes: 100,
      onOverflow: (e) => events.push(e),
    });
    q.offer(1, 1);
    q.offer(2, 1);
    for (let i = 0; i < 1000; i++) q.offer(i, 1);
    expect(events).toEqual([{ phase: 'start', dropped: 1 }]);
    const batch = q.take()!;
    q.settle(batch, { kind: 'delivered' });
    q.offer(5, 1);
    expect(events).toEqual([
      { phase: 'start', dropped: 1 },
      { phase: 'end', dropped: 1000 },
    ]);
    q.offer(6, 1);
    q.offer(7, 1);
    expect(events).toHaveLength(3);
    expect(events[2]).toEqual({ phase: 'start', dropped: 1 });
  });

  it('a throwing listener never reaches the caller of offer', () => {
    const q = new BoundedQueue<number>({
      maxItems: 1,
      maxBytes: 100,
      onOverflow: () => {
        throw new Error('listener bug');
      },
    });
    q.offer(1, 1);
    expect(() => q.offer(2, 1)).not.toThrow();
    expect(q.stats().dropped.overflow).toBe(1);
  });

  it('a listener that offers into the same queue (a feedback loop) does not recurse', () => {
    let calls = 0;
    const q: BoundedQueue<string> = new BoundedQueue<string>({
      maxItems: 1,
      maxBytes: 100,
      onOverflow: () => {
        calls++;
        // What a naive agent does: log "buffer full" through a logger that reports into this very queue.
        for (let i = 0; i < 10; i++) q.offer('buffer full', 1);
      },
    });
    q.offer('a', 1);
    q.offer('b', 1);
    expect(calls).toBe(1);
    const s = expectIdentity(q);
    expect(s.produced).toBe(12);
    expect(s.dropped.overflow).toBe(11);
  });
});

describe('settleInFlight', () => {
  it('settles the batch in flight for its holder, whose later settle is ignored', () => {
    const q = new BoundedQueue<string>({ maxItems: 10, maxBytes: 100 });
    q.offer('a', 1);
    q.offer('b', 1);
    q.offer('c', 1);
    const batch = q.take(2)!;
    q.settleInFlight({ kind: 'dropped', reason: 'unacknowledged' });
    q.settle(batch, { kind: 'delivered' });
    expect(expectIdentity(q)).toMatchObject({
      delivered: 0,
      queued: 1,
      inFlight: 0,
      dropped: expect.objectContaining({ unacknowledged: 2 }),
    });
    q.settleInFlight({ kind: 'delivered' }); // nothing in flight: nothing happens
    expect(q.stats().delivered).toBe(0);
  });
});

describe('flush', () => {
  it('resolves at once when nothing is queued', async () => {
    const q = new BoundedQueue<string>({ maxItems: 10, maxBytes: 100 });
    await expect(q.flush(1000)).resolves.toEqual({ done: true, remaining: 0 });
  });

  it('resolves when everything queued at the call is settled, not items offered later', async () => {
    const q = new BoundedQueue<string>({ maxItems: 10, maxBytes: 100 });
    q.offer('a', 1);
    q.offer('b', 1);
    let resolved = false;
    const flushed = q.flush(60_000).then((r) => {
      resolved = true;
      return r;
    });
    q.offer('later', 1);
    q.settle(q.take(1)!, { kind: 'delivered' });
    await Promise.resolve();
    expect(resolved).toBe(false);
    q.settle(q.take(1)!, { kind: 'dropped', reason: 'rejected' });
    await expect(flushed).resolves.toEqual({ done: true, remaining: 0 });
    expect(q.stats().queued).toBe(1);
  });

  it('reports what is left when the time is up', async () => {
    vi.useFakeTimers();
    try {
      const q = new BoundedQueue<string>({ maxItems: 10, maxBytes: 100 });
      q.offer('a', 1);
      q.offer('b', 1);
      q.take(1);
      const flushed = q.flush(500);
      await vi.advanceTimersByTimeAsync(500);
      await expect(flushed).resolves.toEqual({ done: false, remaining: 2 });
    } finally {
      vi.useRealTimers();
    }
  });

  it('resolves at once with what is left when its signal aborts, and stops listening to it', async () => {
    const q = new BoundedQueue<string>({ maxItems: 10, maxBytes: 100 });
    q.offer('a', 1);
    q.offer('b', 1);
    const batch = q.take(1)!;
    const controller = new AbortController();
    const flushed = q.flush(3_600_000, controller.signal);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    controller.abort();
    await expect(flushed).resolves.toEqual({ done: false, remaining: 2 });
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    // The queue is untouched by the abort: the batch in flight settles later as usual.
    q.settle(batch, { kind: 'delivered' });
    expect(expectIdentity(q)).toMatchObject({ delivered: 1, queued: 1, inFlight: 0 });
  });

  it('with a signal already aborted, reports at once; settled first, it ignores a later abort', async () => {
    const q = new BoundedQueue<string>({ maxItems: 10, maxBytes: 100 });
    q.offer('a', 1);
    await expect(q.flush(60_000, AbortSignal.abort())).resolves.toEqual({
      done: false,
      remaining: 1,
    });
    const controller = new AbortController();
    const flushed = q.flush(60_000, controller.signal);
    q.settle(q.take(1)!, { kind: 'delivered' });
    await expect(flushed).resolves.toEqual({ done: true, remaining: 0 });
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    controller.abort();
  });
});
