import { OptionChecks } from '@windsock/options';

/** How the collector's OptionsErrors begin. */
export const INVALID_COLLECTOR_OPTIONS = 'windsock collector: invalid options';

/**
 * A fixed-capacity FIFO that overwrites its oldest item when full: retained memory stays bounded however long the
 * collector runs, while the caller keeps exact totals elsewhere.
 */
export class RingBuffer<T> {
  private readonly slots: (T | undefined)[];
  private start = 0;
  private length = 0;

  constructor(readonly capacity: number) {
    const check = new OptionChecks();
    check.integer('capacity', capacity, { min: 0 });
    check.throwIfAny(INVALID_COLLECTOR_OPTIONS);
    this.slots = new Array<T | undefined>(capacity);
  }

  get size(): number {
    return this.length;
  }

  /** Appends `item`; returns the evicted oldest item when the buffer was full. */
  push(item: T): T | undefined {
    if (this.capacity === 0) return item;
    if (this.length < this.capacity) {
      this.slots[(this.start + this.length) % this.capacity] = item;
      this.length += 1;
      return undefined;
    }
    const evicted = this.slots[this.start];
    this.slots[this.start] = item;
    this.start = (this.start + 1) % this.capacity;
    return evicted;
  }

  /** The retained items, oldest first. */
  toArray(): T[] {
    const items: T[] = [];
    for (let i = 0; i < this.length; i += 1)
      items.push(this.slots[(this.start + i) % this.capacity] as T);
    return items;
  }

  clear(): void {
    this.slots.fill(undefined);
    this.start = 0;
    this.length = 0;
  }
}
