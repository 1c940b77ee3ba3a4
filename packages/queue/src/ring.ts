// A growable ring buffer of items with their sizes, sequence numbers and (optionally) arrival times, in parallel
// arrays so that a slot costs no object. It grows by doubling up to `limit` and never shrinks: once warm, pushing
// allocates nothing, and no operation is O(n) except growth and `pushFront` of a whole batch.

export class Ring<T> {
  private items: (T | undefined)[];
  private sizes: Float64Array;
  private seqs: Float64Array;
  private times: Float64Array | undefined;
  private head = 0;
  private capacity: number;
  count = 0;

  constructor(
    private readonly limit: number,
    withTimes: boolean,
  ) {
    this.capacity = Math.min(limit, 16);
    this.items = new Array<T | undefined>(this.capacity);
    this.sizes = new Float64Array(this.capacity);
    this.seqs = new Float64Array(this.capacity);
    this.times = withTimes ? new Float64Array(this.capacity) : undefined;
  }

  pushBack(item: T, size: number, seq: number, time: number): void {
    if (this.count === this.capacity) this.grow(this.count + 1);
    let index = this.head + this.count;
    if (index >= this.capacity) index -= this.capacity;
    this.items[index] = item;
    this.sizes[index] = size;
    this.seqs[index] = seq;
    if (this.times !== undefined) this.times[index] = time;
    this.count++;
  }

  /** Removes the oldest slot; returns its size. The caller checks `count > 0` first. */
  dropFront(): number {
    const index = this.head;
    const size = this.sizes[index]!;
    this.items[index] = undefined;
    this.head = index + 1 === this.capacity ? 0 : index + 1;
    this.count--;
    return size;
  }

  /** Moves the `n` oldest slots into the given arrays, in order, and frees them. */
  moveFront(
    n: number,
    items: T[],
    sizes: number[],
    seqs: number[],
    times: number[] | undefined,
  ): void {
    let index = this.head;
    for (let i = 0; i < n; i++) {
      items[i] = this.items[index] as T;
      this.items[index] = undefined;
      sizes[i] = this.sizes[index]!;
      seqs[i] = this.seqs[index]!;
      if (times !== undefined) times[i] = this.times![index]!;
      index = index + 1 === this.capacity ? 0 : index + 1;
    }
    this.head = index;
    this.count -= n;
  }

  /** Size of the slot `offset` places behind the head. */
  sizeAt(offset: number): number {
    let index = this.head + offset;
    if (index >= this.capacity) index -= this.capacity;
    return this.sizes[index]!;
  }

  frontItem(): T {
    return this.items[this.head] as T;
  }
  frontSize(): number {
    return this.sizes[this.head]!;
  }
  frontSeq(): number {
    return this.seqs[this.head]!;
  }
  /** Arrival time of the oldest slot, or undefined when times are not kept. */
  frontTime(): number | undefined {
    return this.times?.[this.head];
  }

  /** Puts slots back in front of the current head, in the given order. */
  pushFront(
    items: readonly T[],
    sizes: ArrayLike<number>,
    seqs: ArrayLike<number>,
    times: ArrayLike<number> | undefined,
  ): void {
    const n = items.length;
    if (this.count + n > this.capacity) this.grow(this.count + n);
    let index = this.head - n;
    if (index < 0) index += this.capacity;
    this.head = index;
    for (let i = 0; i < n; i++) {
      this.items[index] = items[i];
      this.sizes[index] = sizes[i]!;
      this.seqs[index] = seqs[i]!;
      if (this.times !== undefined) this.times[index] = times?.[i] ?? 0;
      index = index + 1 === this.capacity ? 0 : index + 1;
    }
    this.count += n;
  }

  /** Counts slots whose sequence number is below `seq` (slots are in sequence order, so this stops early). */
  countBefore(seq: number): number {
    let n = 0;
    let index = this.head;
    while (n < this.count && this.seqs[index]! < seq) {
      n++;
      index = index + 1 === this.capacity ? 0 : index + 1;
    }
    return n;
  }

  private grow(needed: number): void {
    let capacity = this.capacity * 2;
    while (capacity < needed) capacity *= 2;
    capacity = Math.min(capacity, this.limit);
    const items = new Array<T | undefined>(capacity);
    const sizes = new Float64Array(capacity);
    const seqs = new Float64Array(capacity);
    const times = this.times === undefined ? undefined : new Float64Array(capacity);
    for (let i = 0, index = this.head; i < this.count; i++) {
      items[i] = this.items[index];
      sizes[i] = this.sizes[index]!;
      seqs[i] = this.seqs[index]!;
      if (times !== undefined) times[i] = this.times![index]!;
      index = index + 1 === this.capacity ? 0 : index + 1;
    }
    this.items = items;
    this.sizes = sizes;
    this.seqs = seqs;
    this.times = times;
    this.head = 0;
    this.capacity = capacity;
  }
}
