import { getEventListeners } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { ExitWatch, whenAborted } from './exit-watch.js';

const watches: ExitWatch[] = [];

afterEach(() => {
  for (const watch of watches.splice(0)) watch.dispose();
});

/**
 * A watch, and its own 'beforeExit' listener to call as Node would. Emitting the event on `process` would also run
 * the test runner's listeners; the watch prepends its own, so it is the first one.
 */
function watched(): { watch: ExitWatch; emitBeforeExit: () => void } {
  const watch = new ExitWatch();
  watches.push(watch);
  const listener = process.listeners('beforeExit')[0] as (code: number) => void;
  return { watch, emitBeforeExit: () => listener(0) };
}

/** A call that stays pending until its signal aborts, then resolves with whether it was aborted. */
const untilAborted = (signal: AbortSignal): Promise<boolean> =>
  new Promise((resolve) => signal.addEventListener('abort', () => resolve(signal.aborted)));

describe('ExitWatch', () => {
  it('passes the work its result, with a signal that stays quiet while the process lives', async () => {
    const { watch } = watched();
    let seen: AbortSignal | undefined;
    const result = await watch.during((exiting) => {
      seen = exiting;
      return Promise.resolve(42);
    });
    expect(result).toBe(42);
    expect(seen?.aborted).toBe(false);
  });

  it("aborts the signal of every pending call when 'beforeExit' is emitted", async () => {
    const { watch, emitBeforeExit } = watched();
    const first = watch.during(untilAborted);
    const second = watch.during(untilAborted);
    emitBeforeExit();
    expect(await Promise.all([first, second])).toEqual([true, true]);
  });

  it('settles at once a call made during an emission that settled others (await flush(); await shutdown())', async () => {
    const { watch, emitBeforeExit } = watched();
    const pending = watch.during(untilAborted);
    emitBeforeExit();
    let aborted: boolean | undefined;
    await watch.during((exiting) => {
      aborted = exiting.aborted;
      return Promise.resolve();
    });
    expect(aborted).toBe(true);
    expect(await pending).toBe(true);
  });

  it('a call after the emission, once the process went on living, is not aborted', async () => {
    const { watch, emitBeforeExit } = watched();
    const pending = watch.during(untilAborted);
    emitBeforeExit();
    await pending;
    await new Promise((resolve) => setImmediate(resolve)); // the loop turned: the process was not exiting
    const later = watch.during(async (exiting) => {
      await new Promise((resolve) => setImmediate(resolve));
      return exiting.aborted;
    });
    expect(await later).toBe(false);
  });

  it('dispose() removes its listener', () => {
    const before = process.listenerCount('beforeExit');
    const watch = new ExitWatch();
    expect(process.listenerCount('beforeExit')).toBe(before + 1);
    watch.dispose();
    expect(process.listenerCount('beforeExit')).toBe(before);
  });
});

describe('whenAborted', () => {
  it('resolves when the signal aborts, at once when it already has', async () => {
    const controller = new AbortController();
    const waiting = whenAborted(controller.signal);
    controller.abort();
    await waiting.promise;
    await whenAborted(AbortSignal.abort()).promise;
  });

  it('release() leaves no listener on a signal that lives on', () => {
    const controller = new AbortController();
    const { release } = whenAborted(controller.signal);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    release();
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });
});
