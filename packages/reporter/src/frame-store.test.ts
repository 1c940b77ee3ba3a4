import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FrameStore } from './frame-store.js';

const bytes = (length: number, fill: number) => new Uint8Array(length).fill(fill);

describe('FrameStore', () => {
  it('gives back the bytes of each frame, copied: the caller may reuse its own', () => {
    const store = new FrameStore(1024);
    const frame = Uint8Array.of(1, 2, 3);
    const handle = store.put(frame)!;
    const empty = store.put(new Uint8Array(0))!;
    frame.fill(9);
    expect([...store.view(handle)]).toEqual([1, 2, 3]);
    expect(store.view(empty).byteLength).toBe(0);
  });

  it('keeps no frame larger than a quarter of a chunk', () => {
    const store = new FrameStore(1024);
    expect(store.put(bytes(252, 1))).toBeDefined();
    expect(store.put(bytes(253, 1))).toBeUndefined();
  });

  it('reuses a chunk once its frames are released, and keeps at most the spare chunks beyond those in use', () => {
    const store = new FrameStore(64, 2); // 12 bytes per 8-byte frame: 5 frames a chunk
    const handles = Array.from({ length: 50 }, (_, i) => store.put(bytes(8, i))!);
    expect(store.heldBytes()).toBe(10 * 64);
    for (const handle of handles) store.release(handle);
    // The current chunk stays, two empty ones are kept for reuse, the rest are let go.
    expect(store.heldBytes()).toBe(3 * 64);
    for (let round = 0; round < 100; round++) store.release(store.put(bytes(8, round))!);
    expect(store.heldBytes()).toBe(3 * 64);
  });

  it('never lets a stored frame change, and holds no more than its live frames need (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            { weight: 3, arbitrary: fc.record({ put: fc.integer({ min: 0, max: 20 }) }) },
            { weight: 2, arbitrary: fc.record({ release: fc.nat() }) },
          ),
          { maxLength: 400 },
        ),
        (commands) => {
          const chunkBytes = 96;
          const spare = 2;
          const store = new FrameStore(chunkBytes, spare);
          const live = new Map<number, Uint8Array>();
          let fill = 0;
          for (const command of commands) {
            if ('put' in command) {
              fill = (fill + 1) & 0xff;
              const frame = bytes(command.put, fill);
              const handle = store.put(frame)!;
              expect(live.has(handle)).toBe(false);
              live.set(handle, frame);
            } else if (live.size > 0) {
              const handle = [...live.keys()][command.release % live.size]!;
              live.delete(handle);
              store.release(handle);
            }
            for (const [handle, frame] of live) expect(store.view(handle)).toEqual(frame);
            const chunksInUse = new Set([...live.keys()].map((h) => Math.floor(h / chunkBytes)));
            expect(store.heldBytes()).toBeLessThanOrEqual(
              (chunksInUse.size + 1 + spare) * chunkBytes,
            );
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
