// A pipeline is one queue and its one drain loop: items are encoded once on the producer's call, copied into the
// pipeline's frame store (the queue holds their handles), and sent in batches by the loop through the backend set
// (failover and breakers live there). The loop rests until the next probe while every breaker is open, so an outage
// costs O(1) work per probe interval.
import { BoundedQueue, type DrainDecision, type QueueStats } from '@windsock/queue';
import type { BackendSet } from '@windsock/resilience';
import type { TransportResult } from '@windsock/transport';
import { FrameStore } from './frame-store.js';

/** What the queue holds: a frame's handle in the store, or a frame too large for it, as it is. */
type QueuedFrame = number | Uint8Array;

export type PipelineName = 'segments' | 'logs' | 'meters';

export interface PipelineOptions {
  name: PipelineName;
  maxItems: number;
  maxBytes: number;
  maxBatchItems: number;
  lingerMs: number;
  backends: BackendSet<TransportResult>;
  send: (
    frames: readonly Uint8Array[],
    address: string,
    signal: AbortSignal,
  ) => Promise<TransportResult>;
  /** Told once when an overflow episode starts and once when it ends. */
  onOverflow: (name: PipelineName, phase: 'start' | 'end', dropped: number) => void;
}

/** Largest batch in bytes: OAP's default gRPC message limit is 50 MiB; stay far below it. */
const MAX_BATCH_BYTES = 4 * 1024 * 1024;
/** Largest batch buffer a pipeline keeps between batches (see copyOut). */
const MAX_KEPT_BATCH_BYTES = 1024 * 1024;

export class Pipeline {
  readonly name: PipelineName;
  readonly queue: BoundedQueue<QueuedFrame>;
  private readonly store = new FrameStore();
  private batchBuffer = new Uint8Array(0);
  private readonly stopping = new AbortController();
  private readonly loop: Promise<void>;

  constructor(private readonly options: PipelineOptions) {
    this.name = options.name;
    this.queue = new BoundedQueue<QueuedFrame>({
      maxItems: options.maxItems,
      maxBytes: options.maxBytes,
      overflow: 'drop-oldest',
      onOverflow: ({ phase, dropped }) => options.onOverflow(options.name, phase, dropped),
      onRelease: (item) => {
        if (typeof item === 'number') this.store.release(item);
      },
    });
    this.loop = this.queue.drain((batch) => this.sendBatch(batch.items), {
      maxBatchItems: options.maxBatchItems,
      maxBatchBytes: Math.min(MAX_BATCH_BYTES, options.maxBytes),
      lingerMs: options.lingerMs,
    });
  }

  /** Queues one encoded frame: a copy in the store, or the frame itself if too large to share a chunk. Never throws. */
  offer(frame: Uint8Array): void {
    this.queue.offer(this.store.put(frame) ?? frame, frame.byteLength);
  }

  /** Counts an item that could not even be encoded, so that `produced` still accounts for it. */
  reject(): void {
    this.queue.offer(EMPTY, Number.NaN); // a non-finite size is counted as `rejected` by the queue
  }

  stats(): QueueStats {
    return this.queue.stats();
  }

  flush(timeoutMs: number, signal?: AbortSignal): Promise<{ done: boolean; remaining: number }> {
    return this.queue.flush(timeoutMs, signal);
  }

  /** Cancels the batch in flight (shutdown), ends the loop, and drops what is left as `shutdown`. */
  async close(): Promise<void> {
    this.stopping.abort();
    await this.queue.close();
    await this.loop;
    this.queue.discard('shutdown');
  }

  /**
   * For a process about to exit, when close() cannot be awaited: counts the batch in flight as `unacknowledged` (it
   * may have reached the backend) and what is queued as `shutdown`, at once, so that the last status() accounts for
   * everything. A later settlement of that batch by the loop is ignored by the queue.
   */
  abandon(): void {
    this.queue.settleInFlight({ kind: 'dropped', reason: 'unacknowledged' });
    this.queue.discard('shutdown');
  }

  private async sendBatch(items: readonly QueuedFrame[]): Promise<DrainDecision> {
    const { backends, send } = this.options;
    const frames = this.copyOut(items);
    const result = await backends.send(
      (address, signal) => send(frames, address, signal),
      this.stopping.signal,
    );
    switch (result.kind) {
      case 'delivered':
        return { outcome: { kind: 'delivered' } };
      case 'kept':
        return { outcome: { kind: 'requeue' }, pauseMs: result.pauseMs };
      case 'lost':
        return { outcome: { kind: 'dropped', reason: result.reason }, pauseMs: result.pauseMs };
    }
  }

  /**
   * The batch's frames, copied out of the store into the pipeline's batch buffer: a retry may still read them after
   * the exit path has settled the batch and its chunks are reused. The buffer is reused by the next batch only, which
   * the drain loop takes after this one's send has returned, and a call has copied what it sends before it returns.
   */
  private copyOut(items: readonly QueuedFrame[]): Uint8Array[] {
    const frames = items.map((item) => (typeof item === 'number' ? this.store.view(item) : item));
    let total = 0;
    for (let i = 0; i < items.length; i++)
      if (typeof items[i] === 'number') total += frames[i]!.byteLength;
    let buffer = this.batchBuffer;
    if (total > buffer.byteLength) {
      buffer = new Uint8Array(total);
      // A rare large batch gets a buffer of its own rather than one the pipeline keeps for good.
      if (total <= MAX_KEPT_BATCH_BYTES) this.batchBuffer = buffer;
    }
    let at = 0;
    for (let i = 0; i < items.length; i++) {
      if (typeof items[i] !== 'number') continue;
      const bytes = frames[i]!;
      buffer.set(bytes, at);
      frames[i] = buffer.subarray(at, at + bytes.byteLength);
      at += bytes.byteLength;
    }
    return frames;
  }
}

const EMPTY = new Uint8Array(0);
