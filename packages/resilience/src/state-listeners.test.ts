import { describe, expect, it, vi } from 'vitest';
import type { StateChange } from './outcome.js';
import { StateListeners } from './state-listeners.js';

const change: StateChange = { state: 'open', previous: 'closed', at: 1, nextProbeAt: 2 };

describe('StateListeners', () => {
  it('builds the change only when someone listens', () => {
    const listeners = new StateListeners();
    const build = vi.fn(() => change);
    listeners.notify(build);
    expect(build).not.toHaveBeenCalled();
    const seen: StateChange[] = [];
    listeners.add((c) => seen.push(c));
    listeners.notify(build);
    expect(build).toHaveBeenCalledOnce();
    expect(seen).toEqual([change]);
  });

  it('a throwing listener neither stops the others nor reaches the caller', () => {
    const listeners = new StateListeners();
    const after = vi.fn();
    listeners.add(() => {
      throw new Error('listener bug');
    });
    listeners.add(after);
    expect(() => listeners.notify(() => change)).not.toThrow();
    expect(after).toHaveBeenCalledWith(change);
  });

  it('removes a listener through the function add returned, and all of them with clear', () => {
    const listeners = new StateListeners();
    const a = vi.fn();
    const removeA = listeners.add(a);
    listeners.add(vi.fn());
    expect(listeners.size).toBe(2);
    removeA();
    listeners.notify(() => change);
    expect(a).not.toHaveBeenCalled();
    listeners.clear();
    expect(listeners.size).toBe(0);
  });
});
