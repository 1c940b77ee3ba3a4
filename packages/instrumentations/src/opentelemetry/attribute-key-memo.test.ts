import { describe, expect, it } from 'vitest';
import { KeyMemo } from './attribute-key-memo.js';

// Looks keys up the way the memo must agree with, counting the lookups it could not spare.
function countingMemo(): { memo: KeyMemo<string>; lookups: string[] } {
  const lookups: string[] = [];
  const memo = new KeyMemo((key) => {
    lookups.push(key);
    return `tag:${key}`;
  });
  return { memo, lookups };
}

// What writeAttributes does: the first key picks the sequence, each key is asked for at its position.
function valuesOf(memo: KeyMemo<string>, object: Record<string, unknown>): string[] {
  const keys = Object.keys(object);
  const sequence = memo.sequence(keys[0]!);
  return keys.map((key, position) => sequence.valueAt(position, key));
}

describe('KeyMemo', () => {
  it('looks each key of a sequence up once, then answers from the memo', () => {
    const { memo, lookups } = countingMemo();
    const attributes = {
      'db.system.name': 'postgresql',
      'db.namespace': 'shop',
      'server.port': 5432,
    };
    const expected = ['tag:db.system.name', 'tag:db.namespace', 'tag:server.port'];
    expect(valuesOf(memo, attributes)).toEqual(expected);
    expect(valuesOf(memo, { ...attributes })).toEqual(expected);
    expect(lookups).toEqual(['db.system.name', 'db.namespace', 'server.port']);
  });

  it('keeps one sequence per first key, and a sequence that differs updates it from where it differs', () => {
    const { memo, lookups } = countingMemo();
    valuesOf(memo, { a: 1, b: 2 });
    valuesOf(memo, { x: 1, y: 2 });
    expect(valuesOf(memo, { a: 1, c: 2, d: 3 })).toEqual(['tag:a', 'tag:c', 'tag:d']);
    expect(valuesOf(memo, { a: 1, c: 2, d: 3 })).toEqual(['tag:a', 'tag:c', 'tag:d']);
    expect(valuesOf(memo, { x: 1, y: 2 })).toEqual(['tag:x', 'tag:y']);
    expect(lookups).toEqual(['a', 'b', 'x', 'y', 'c', 'd']);
  });

  it('gives the looked-up value for every key past its limits: long objects, many first keys', () => {
    const { memo } = countingMemo();
    const long = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, i]));
    expect(valuesOf(memo, long)).toEqual(Object.keys(long).map((key) => `tag:${key}`));
    expect(valuesOf(memo, long)).toEqual(Object.keys(long).map((key) => `tag:${key}`));
    for (let i = 0; i < 100; i++) {
      const object = { [`first${i}`]: 1, [`second${i % 3}`]: 2 };
      expect(valuesOf(memo, object)).toEqual([`tag:first${i}`, `tag:second${i % 3}`]);
    }
  });
});
