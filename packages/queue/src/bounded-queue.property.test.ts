// Random interleavings of everything a queue can be asked to do, checking after every step the invariants the
// agent's promises rest on: the accounting identity, both memory bounds, FIFO order among delivered items, and one
// release for every item the queue no longer holds.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BoundedQueue } from './bounded-queue.js';
import { DROP_REASONS, type Batch, type DropReason } from './types.js';

type Command =
  | { op: 'offer'; bytes: number }
  | { op: 'take'; maxItems: number; maxBytes: number }
  | { op: 'settle'; outcome: 'delivered' | 'requeue' | DropReason }
  | { op: 'time'; ms: number }
  | { op: 'discard' };

const command: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      op: fc.constant('offer' as const),
      bytes: fc.oneof(fc.integer({ min: 0, max: 40 }), fc.constantFrom(-1, Number.NaN, 1000)),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('take' as const),
      maxItems: fc.integer({ min: 1, max: 8 }),
      maxBytes: fc.integer({ min: 1, max: 100 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('settle' as const),
      outcome: fc.constantFrom('delivered' as const, 'requeue' as const, ...DROP_REASONS),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('time' as const),
      ms: fc.integer({ min: 0, max: 300 }),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ op: 'discard' as const }) },
);

describe('BoundedQueue invariants (property)', () => {
  it('holds the identity, both bounds, FIFO delivery and exact releases under any sequence', () => {
    fc.assert(
      fc.property(
        fc.record({
          maxItems: fc.integer({ min: 1, max: 12 }),
          maxBytes: fc.integer({ min: 1, max: 120 }),
          overflow: fc.constantFrom('drop-oldest' as const, 'drop-newest' as const),
          maxAgeMs: fc.option(fc.integer({ min: 0, max: 500 }), { nil: undefined }),
        }),
        fc.array(command, { maxLength: 300 }),
        (options, commands) => {
          let now = 0;
          const released = new Set<number>();
          const q = new BoundedQueue<number>({
            ...options,
            now: () => now,
            onRelease: (item) => {
              expect(released.has(item)).toBe(false);
              released.add(item);
            },
          });
          let next = 0;
          let batch: Batch<number> | undefined;
          const delivered: number[] = [];
          for (const c of commands) {
            switch (c.op) {
              case 'offer':
                q.offer(next++, c.bytes);
                break;
              case 'take':
                batch = q.take(c.maxItems, c.maxBytes) ?? batch;
                break;
              case 'settle':
                if (batch === undefined) break;
                if (c.outcome === 'delivered') {
                  delivered.push(...batch.items);
                  q.settle(batch, { kind: 'delivered' });
                } else if (c.outcome === 'requeue') {
                  q.settle(batch, { kind: 'requeue' });
                } else {
                  q.settle(batch, { kind: 'dropped', reason: c.outcome });
                }
                batch = undefined;
                break;
              case 'time':
                now += c.ms;
                break;
              case 'discard':
                q.discard('shutdown');
                break;
            }
            const s = q.stats();
            const dropped = Object.values(s.dropped).reduce((a, b) => a + b, 0);
            expect(s.produced).toBe(next);
            expect(s.produced).toBe(s.delivered + dropped + s.queued + s.inFlight);
            expect(s.queued + s.inFlight).toBeLessThanOrEqual(options.maxItems);
            expect(s.queuedBytes + s.inFlightBytes).toBeLessThanOrEqual(options.maxBytes);
            expect(s.delivered).toBe(delivered.length);
            // Released are exactly the items neither queued nor in flight.
            expect(released.size).toBe(s.produced - s.queued - s.inFlight);
            for (const item of batch?.items ?? []) expect(released.has(item)).toBe(false);
          }
          for (let i = 1; i < delivered.length; i++) {
            expect(delivered[i]!).toBeGreaterThan(delivered[i - 1]!);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
