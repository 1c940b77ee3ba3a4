import { describe, expect, it } from 'vitest';
import { runFixture } from './run-fixture.js';

describe('unref', () => {
  it('never keeps the process alive: it exits with a hung call, a retry backoff and a probe pending', async () => {
    const result = await runFixture('exits-while-hung.ts');
    expect(result).toEqual({ exited: true, probes: 1, retries: 1 });
  });
});
