// pnpm bench: the costs the application pays (offer) and the drain loop pays (take + settle), beside the plain
// Array push/shift queue the Apache Node.js agent uses, at the same capacities. Cheap operations loop inside the
// measured function (`opsPerCall`) so the harness's own call does not dominate the figure.
import { bench, printTable, type BenchResult } from '@windsock/bench-kit';
import { BoundedQueue } from '../src/index.js';

const frame = new Uint8Array(256);
const OPS = 256;

/** The baseline: an Array bounded by shifting the oldest out, as skywalking-backend-js does. */
class ArrayQueue<T> {
  private readonly items: T[] = [];
  constructor(private readonly capacity: number) {}
  offer(item: T): void {
    this.items.push(item);
    if (this.items.length > this.capacity) this.items.shift();
  }
}

const results: BenchResult[] = [];

// Steady state: the queue never fills (a large budget; the ring is warmed to its size first).
{
  const q = new BoundedQueue<Uint8Array>({ maxItems: 4_000_000, maxBytes: 1e12 });
  for (let i = 0; i < 4_000_000; i++) q.offer(frame, frame.length);
  q.discard('shutdown');
  results.push(
    bench(
      'offer, steady state (room available)',
      () => {
        let outcome;
        for (let j = 0; j < OPS; j++) outcome = q.offer(frame, frame.length);
        return outcome;
      },
      { iterations: 1_500, rounds: 7, warmup: 500, opsPerCall: OPS },
    ),
  );
}

for (const batchSize of [1, 64, 512]) {
  const q = new BoundedQueue<Uint8Array>({ maxItems: 10_000, maxBytes: 1e12 });
  results.push(
    bench(
      `offer + take + settle, batch ${batchSize} (per item)`,
      () => {
        for (let j = 0; j < batchSize; j++) q.offer(frame, frame.length);
        q.settle(q.take(batchSize)!, { kind: 'delivered' });
      },
      {
        iterations: Math.max(200, Math.floor(200_000 / batchSize)),
        warmup: 200,
        opsPerCall: batchSize,
      },
    ),
  );
}

for (const capacity of [1_000, 100_000]) {
  const label = capacity.toLocaleString('en-US');
  const q = new BoundedQueue<Uint8Array>({ maxItems: capacity, maxBytes: 1e12 });
  for (let i = 0; i < capacity; i++) q.offer(frame, frame.length);
  results.push(
    bench(
      `offer under constant overflow, capacity ${label}`,
      () => {
        let outcome;
        for (let j = 0; j < OPS; j++) outcome = q.offer(frame, frame.length);
        return outcome;
      },
      { iterations: 2_000, warmup: 500, opsPerCall: OPS },
    ),
  );
  const a = new ArrayQueue<Uint8Array>(capacity);
  for (let i = 0; i < capacity; i++) a.offer(frame);
  results.push(
    bench(
      `Array push/shift under overflow, capacity ${label}`,
      () => {
        for (let j = 0; j < OPS; j++) a.offer(frame);
      },
      { iterations: capacity >= 100_000 ? 10 : 2_000, warmup: 10, opsPerCall: OPS },
    ),
  );
}

printTable(`@windsock/queue — node ${process.version}, ${process.arch}`, results);
