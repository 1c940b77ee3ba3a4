/**
 * What a lookup gives for each attribute key (the bridge's tag rule), remembered by position for each sequence of
 * keys. The attribute objects a library builds at one call site have the same keys in the same order, and `for-in`
 * hands them out as the same strings, so a pointer comparison with the key remembered at that position replaces a
 * hash lookup per key. Sequences are told apart by their first key; a sequence that differs from the remembered one
 * updates it in place (no allocation after the first span of a sequence); keys beyond the first `MAX_POSITIONS` are
 * looked up each time.
 */
export type Lookup<T> = (key: string) => T;

const MAX_SEQUENCES = 64;
const MAX_POSITIONS = 32;

export class KeySequence<T> {
  readonly keys: string[] = [];
  readonly values: T[] = [];

  constructor(private readonly lookup: Lookup<T>) {}

  /** What `lookup` gives for `key`, the key at `position` of its object. */
  valueAt(position: number, key: string): T {
    if (this.keys[position] === key) return this.values[position]!;
    const value = this.lookup(key);
    if (position <= this.keys.length && position < MAX_POSITIONS) {
      this.keys[position] = key;
      this.values[position] = value;
    }
    return value;
  }
}

/** Memos of `lookup`, one per first key; past `MAX_SEQUENCES` first keys, new ones share one. */
export class KeyMemo<T> {
  private readonly sequences = new Map<string, KeySequence<T>>();
  private readonly unremembered: KeySequence<T>;
  // The sequence asked for last: one call site's spans follow each other, and a pointer comparison finds it.
  private lastFirst: string | undefined;
  private last: KeySequence<T> | undefined;

  constructor(private readonly lookup: Lookup<T>) {
    this.unremembered = new KeySequence(lookup);
  }

  /** The memo for an object whose first key is `first`. */
  sequence(first: string): KeySequence<T> {
    if (first === this.lastFirst) return this.last!;
    let sequence = this.sequences.get(first);
    if (sequence === undefined) {
      if (this.sequences.size >= MAX_SEQUENCES) return this.unremembered;
      sequence = new KeySequence(this.lookup);
      this.sequences.set(first, sequence);
    }
    this.lastFirst = first;
    this.last = sequence;
    return sequence;
  }
}
