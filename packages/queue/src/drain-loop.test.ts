import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { OptionsError } from '@windsock/options';
import { BoundedQueue } from './bounded-queue.js';
import type { Batch, DrainDecision } from './types.js';

const DELIVERED: DrainDecision = { outcome: { kind: 'delivered' } };

describe('drain loop (fake clock)', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('waits lingerMs from the oldest item for a partial batch', async () => {
    const q = new BoundedQueue<string>({ maxItems: 100, maxBytes: 1000 });
    const seen: string[][] = [];
    const done = q.drain(
      (b) => {
        seen.push([...b.items]);
        return DELIVERED;
      },
      { maxBatchItems: 10, lingerMs: 200 },
    );
    q.offer('a', 1);
    await vi.advanceTimersByTimeAsync(150);
    q.offer('b', 1);
    await vi.advanceTimersByTimeAsync(49);
    expect(seen).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(seen).toEqual([['a', 'b']]);
    await q.close();
    await done;
  });

  it('sends a full batch at once, without waiting for the linger', async () => {
    const q = new BoundedQueue<number>({ maxItems: 100, maxBytes: 1000 });
    const seen: number[][] = [];
    void q.drain(
      (b) => {
        seen.push([...b.items]);
        return DELIVERED;
      },
      { maxBatchItems: 3, lingerMs: 10_000 },
    );
    for (let i = 0; i < 7; i++) q.offer(i, 1);
    await vi.advanceTimersByTimeAsync(0);
    expect(seen).toEqual([
      [0, 1, 2],
      [3, 4, 5],
    ]);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(seen).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
    await q.close();
  });

  it('a full batch by bytes is sent at once too', async () => {
    const q = new BoundedQueue<string>({ maxItems: 100, maxBytes: 1000 });
    const seen: string[][] = [];
    void q.drain(
      (b) => {
        seen.push([...b.items]);
        return DELIVERED;
      },
      { maxBatchItems: 100, maxBatchBytes: 100, lingerMs: 10_000 },
    );
    q.offer('a', 60);
    await vi.advanceTimersByTimeAsync(0);
    expect(seen).toEqual([]);
    q.offer('b', 60);
    await vi.advanceTimersByTimeAsync(0);
    expect(seen).toEqual([['a']]);
    await q.close();
  });

  it('sleeps pauseMs after a batch: an open breaker idles the loop, O(1) calls per interval', async () => {
    const q = new BoundedQueue<number>({ maxItems: 1000, maxBytes: 1e6 });
    let calls = 0;
    void q.drain(
      () => {
        calls++;
        return { outcome: { kind: 'requeue' }, pauseMs: 1_000 };
      },
      { maxBatchItems: 10, lingerMs: 0 },
    );
    for (let i = 0; i < 500; i++) q.offer(i, 1);
    await vi.advanceTimersByTimeAsync(10_500);
    expect(calls).toBe(11); // t = 0, 1 s, ..., 10 s
    const s = q.stats();
    expect(s.queued).toBe(500);
    await q.close();
  });

  it('a requeue without a pause still waits requeuePauseMs, so a fast failure cannot spin', async () => {
    const q = new BoundedQueue<number>({ maxItems: 1000, maxBytes: 1e6 });
    let calls = 0;
    void q.drain(
      () => {
        calls++;
        return { outcome: { kind: 'requeue' } };
      },
      { lingerMs: 0, requeuePauseMs: 100 },
    );
    q.offer(1, 1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(calls).toBe(11);
    await q.close();
  });

  it('settles a batch whose handler throws or answers nonsense as unacknowledged', async () => {
    const q = new BoundedQueue<number>({ maxItems: 10, maxBytes: 100 });
    let n = 0;
    void q.drain(
      () => {
        n++;
        if (n === 1) throw new Error('bug');
        return undefined as unknown as DrainDecision;
      },
      { maxBatchItems: 1, lingerMs: 0 },
    );
    q.offer(1, 1);
    q.offer(2, 1);
    await vi.advanceTimersByTimeAsync(0);
    expect(q.stats().dropped.unacknowledged).toBe(2);
    await q.close();
  });

  it('expedites a linger when flushed, and flush resolves once settled', async () => {
    const q = new BoundedQueue<string>({ maxItems: 10, maxBytes: 100 });
    void q.drain(() => DELIVERED, { lingerMs: 60_000 });
    q.offer('a', 1);
    await vi.advanceTimersByTimeAsync(10);
    const flushed = q.flush(5_000);
    await vi.advanceTimersByTimeAsync(0);
    await expect(flushed).resolves.toEqual({ done: true, remaining: 0 });
    expect(q.stats().delivered).toBe(1);
    await q.close();
  });

  it('close resolves only after the in-flight batch is settled', async () => {
    const q = new BoundedQueue<string>({ maxItems: 10, maxBytes: 100 });
    let release!: () => void;
    const loop = q.drain(
      () =>
        new Promise<DrainDecision>((resolve) => {
          release = () => resolve(DELIVERED);
        }),
      { lingerMs: 0 },
    );
    q.offer('a', 1);
    await vi.advanceTimersByTimeAsync(0);
    let closed = false;
    const closing = q.close().then(() => {
      closed = true;
    });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(closed).toBe(false);
    expect(q.stats().inFlight).toBe(1);
    release();
    await closing;
    await loop;
    expect(q.stats()).toMatchObject({ delivered: 1, inFlight: 0 });
  });

  it('stops when its signal aborts, and can then be drained again', async () => {
    const q = new BoundedQueue<string>({ maxItems: 10, maxBytes: 100 });
    const controller = new AbortController();
    const loop = q.drain(() => DELIVERED, { signal: controller.signal });
    await expect(q.drain(() => DELIVERED)).rejects.toThrow(/already being drained/);
    controller.abort();
    await loop;
    q.offer('a', 1);
    void q.drain(() => DELIVERED, { lingerMs: 0 });
    await vi.advanceTimersByTimeAsync(0);
    expect(q.stats().delivered).toBe(1);
    await q.close();
  });

  it('validates its options with OptionsErrors naming them', () => {
    const q = new BoundedQueue<string>({ maxItems: 10, maxBytes: 100 });
    expect(() => q.drain(() => DELIVERED, { maxBatchItems: 0 })).toThrow(/maxBatchItems/);
    expect(() => q.drain(() => DELIVERED, { lingerMs: -1 })).toThrow(/lingerMs/);
    expect(() => q.drain(() => DELIVERED, { maxBatchBytes: Number.NaN })).toThrow(OptionsError);
  });

  it('lists every bad drain option in one error', () => {
    const q = new BoundedQueue<string>({ maxItems: 10, maxBytes: 100 });
    let thrown: unknown;
    try {
      void q.drain(() => DELIVERED, { maxBatchItems: 0, requeuePauseMs: -1 });
    } catch (error) {
      thrown = error;
    }
    expect((thrown as OptionsError).problems.map((p) => p.name)).toEqual([
      'maxBatchItems',
      'requeuePauseMs',
    ]);
  });

  it('drops expired items instead of sending them', async () => {
    const q = new BoundedQueue<string>({ maxItems: 10, maxBytes: 100, maxAgeMs: 1_000 });
    const seen: string[] = [];
    void q.drain(
      (b: Batch<string>) => {
        seen.push(...b.items);
        return { outcome: { kind: 'requeue' }, pauseMs: 5_000 };
      },
      { lingerMs: 0 },
    );
    q.offer('a', 1);
    await vi.advanceTimersByTimeAsync(6_000);
    expect(seen).toEqual(['a']);
    expect(q.stats()).toMatchObject({ queued: 0, dropped: { expired: 1 } });
    await q.close();
  });
});

describe('drain loop stack depth', () => {
  it('is the same inside the handler after 2 or 100,000 failed batches', async () => {
    const q = new BoundedQueue<number>({ maxItems: 200_000, maxBytes: 1e9 });
    for (let i = 0; i < 100_000; i++) q.offer(i, 1);
    const previousLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = Number.POSITIVE_INFINITY;
    const depths: number[] = [];
    let calls = 0;
    try {
      await new Promise<void>((resolve) => {
        void q.drain(
          () => {
            calls++;
            // Call 1 runs synchronously inside drain() (the test's frames are on the stack); compare 2 with 100,000.
            if (calls === 2 || calls === 100_000) {
              depths.push(new Error('depth probe').stack!.split('\n').length);
            }
            if (calls === 100_000) resolve();
            return { outcome: { kind: 'dropped', reason: 'unacknowledged' } };
          },
          { maxBatchItems: 1, lingerMs: 0 },
        );
      });
    } finally {
      Error.stackTraceLimit = previousLimit;
    }
    await q.close();
    expect(calls).toBe(100_000);
    expect(depths).toHaveLength(2);
    expect(depths[1]).toBe(depths[0]);
    expect(q.stats().dropped.unacknowledged).toBe(100_000);
  });
});
