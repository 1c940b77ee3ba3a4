// One sample per tick of everything the dashboard draws, and the recent history a freshly opened page starts from.
import type { InstanceRecord, TraceSummary } from '@windsock/collector';
import type { BackendView } from './backend.js';
import type { LoadStats } from './load.js';
import type { ServiceName, ServiceSample } from './messages.js';

export interface DemoSample {
  /** Epoch ms. */
  at: number;
  /** Increases by one per sample: the page shows it so a stalled stream is visible. */
  seq: number;
  load: LoadStats;
  services: Partial<Record<ServiceName, ServiceSample>>;
  backend: BackendView;
  restarts: number;
}

/** Sent with every sample but not kept in history: only the latest matters. */
export interface DemoTables {
  traces: TraceSummary[];
  instances: InstanceRecord[];
}

/** A fixed-size ring of the newest samples: the history's memory does not grow with the demo's uptime. */
export class History<T> {
  private readonly items: T[] = [];
  private start = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError('capacity must be a positive integer');
  }

  push(item: T): void {
    if (this.items.length < this.capacity) {
      this.items.push(item);
      return;
    }
    this.items[this.start] = item;
    this.start = (this.start + 1) % this.capacity;
  }

  /** Oldest first. */
  toArray(): T[] {
    return [...this.items.slice(this.start), ...this.items.slice(0, this.start)];
  }

  latest(): T | undefined {
    if (this.items.length === 0) return undefined;
    return this.items[(this.start + this.items.length - 1) % this.items.length];
  }

  get size(): number {
    return this.items.length;
  }
}
