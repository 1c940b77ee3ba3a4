import { describe, expect, it } from 'vitest';
import { runChild } from '../test/child.js';

describe('stop()', () => {
  it('leaves no handle open: a process that stopped its collectors exits by itself', async () => {
    const result = await runChild(['test/stop-exits.fixture.ts']);
    expect(result.stderr).toBe('');
    expect(result.signal).toBeNull();
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout.trim()) as {
      delayed: string;
      waiting: string;
      counts: { segments: number; unacknowledged: { segments: number } };
    };
    expect(report).toMatchObject({
      delayed: 'failed',
      waiting: 'rejected',
      counts: { segments: 1, unacknowledged: { segments: 1 } },
    });
  });
});
