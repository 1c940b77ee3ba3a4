import { EventEmitter, once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { tracerWithSink } from '../../test/helpers.js';

describe('async context', () => {
  const { tracer } = tracerWithSink();

  /** Runs `schedule` inside a fresh entry span and returns which span was active in the scheduled callback. */
  async function activeAfter(
    schedule: (callback: () => void) => void,
  ): Promise<[string, string | undefined]> {
    const entry = tracer.startEntrySpan('GET:/ctx');
    const seen = await tracer.withSpan(
      entry,
      () =>
        new Promise<string | undefined>((resolve) => {
          schedule(() => resolve(tracer.activeContext()?.segmentId));
        }),
    );
    entry.end();
    return [entry.segmentId, seen];
  }

  it('follows setTimeout, setImmediate, process.nextTick and queueMicrotask', async () => {
    for (const schedule of [
      (cb: () => void) => setTimeout(cb, 1),
      (cb: () => void) => setImmediate(cb),
      (cb: () => void) => process.nextTick(cb),
      (cb: () => void) => queueMicrotask(cb),
    ]) {
      const [expected, seen] = await activeAfter(schedule);
      expect(seen).toBe(expected);
    }
  });

  it('follows promise chains and async functions across awaits', async () => {
    const [expected, seen] = await activeAfter((cb) => {
      void Promise.resolve()
        .then(() => sleep(1))
        .then(async () => {
          await sleep(1);
          await Promise.resolve();
          cb();
        });
    });
    expect(seen).toBe(expected);
  });

  it('follows an EventEmitter listener registered and emitted inside the context', async () => {
    const [expected, seen] = await activeAfter((cb) => {
      const emitter = new EventEmitter();
      emitter.on('ready', cb);
      setTimeout(() => emitter.emit('ready'), 1);
    });
    expect(seen).toBe(expected);
  });

  it('keeps concurrent traces apart', async () => {
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        activeAfter((cb) => {
          setTimeout(cb, i % 5);
        }),
      ),
    );
    for (const [expected, seen] of results) expect(seen).toBe(expected);
    expect(new Set(results.map(([id]) => id)).size).toBe(50);
  });

  it('is empty outside any span, even after traced work ran', async () => {
    await activeAfter((cb) => setImmediate(cb));
    const emitter = new EventEmitter();
    const fired = once(emitter, 'x');
    emitter.emit('x');
    await fired;
    expect(tracer.activeContext()).toBeUndefined();
  });
});
