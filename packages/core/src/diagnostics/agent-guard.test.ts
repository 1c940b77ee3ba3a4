import { describe, expect, it } from 'vitest';
import { bindAgent, isAgentRunning, runAsAgent } from './agent-guard.js';

describe('agent guard', () => {
  it('is up only while agent code runs, nested calls included', () => {
    expect(isAgentRunning()).toBe(false);
    const seen = runAsAgent(() => {
      const inner = runAsAgent(() => isAgentRunning());
      return [inner, isAgentRunning()];
    });
    expect(seen).toEqual([true, true]);
    expect(isAgentRunning()).toBe(false);
  });

  it('comes down when agent code throws', () => {
    expect(() =>
      runAsAgent(() => {
        throw new Error('sink failed');
      }),
    ).toThrow('sink failed');
    expect(isAgentRunning()).toBe(false);
  });

  it('does not leak into callbacks scheduled from agent code unless they are bound', async () => {
    const seen = await new Promise<boolean[]>((resolve) => {
      runAsAgent(() => {
        const plain = new Promise<boolean>((r) => setImmediate(() => r(isAgentRunning())));
        const bound = new Promise<boolean>((r) =>
          setImmediate(bindAgent(() => r(isAgentRunning()))),
        );
        void Promise.all([plain, bound]).then(resolve);
      });
    });
    expect(seen).toEqual([false, true]);
  });

  it('is one guard per process, shared by every copy of the package', () => {
    const state = (globalThis as unknown as Record<symbol, { depth: number }>)[
      Symbol.for('windsock.agent-guard')
    ];
    expect(state).toBeDefined();
    runAsAgent(() => expect(state!.depth).toBe(1));
  });
});
