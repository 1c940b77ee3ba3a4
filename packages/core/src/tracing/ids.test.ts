import { describe, expect, it } from 'vitest';
import { nextId } from './ids.js';

describe('nextId', () => {
  it('never repeats within a process', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 100_000; i++) seen.add(nextId());
    expect(seen.size).toBe(100_000);
  });

  it('shares a random per-process prefix and differs only in the counter', () => {
    const [a, b] = [nextId(), nextId()];
    const prefix = (id: string) => id.slice(0, id.lastIndexOf('.'));
    expect(prefix(a)).toBe(prefix(b));
    expect(a).toMatch(/^[0-9a-f]{16}\.[0-9a-z]+\.[0-9a-z]+$/);
    expect(parseInt(b.split('.')[2]!, 36)).toBe(parseInt(a.split('.')[2]!, 36) + 1);
  });
});
