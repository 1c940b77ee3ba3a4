import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { agentDistFolders, watchFolders } from './watch.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('watchFolders', () => {
  it('reports a rebuild, also after the folder was deleted and created again', async () => {
    const root = await mkdtemp(join(tmpdir(), 'windsock-demo-watch-'));
    cleanups.push(() => rm(root, { recursive: true, force: true }));
    const dist = join(root, 'dist');
    await mkdir(dist);
    const onChange = vi.fn();
    cleanups.push(watchFolders([dist], onChange));

    await writeFile(join(dist, 'index.js'), 'export {};');
    await vi.waitFor(() => expect(onChange).toHaveBeenCalledTimes(1), { timeout: 10_000 });

    // A clean build: the folder goes away and comes back with new files.
    await rm(dist, { recursive: true });
    await mkdir(dist);
    await vi.waitFor(() => expect(onChange).toHaveBeenCalledTimes(2), { timeout: 10_000 });
    await writeFile(join(dist, 'index.js'), 'export const rebuilt = true;');
    await vi.waitFor(() => expect(onChange).toHaveBeenCalledTimes(3), { timeout: 10_000 });
  });
});

describe('agentDistFolders', () => {
  it("lists windsock's dist and those of the workspace packages it is built from, transitively", () => {
    const folders = agentDistFolders(import.meta.url);
    const names = folders.map((f) => f.split(/[\\/]/).slice(-2).join('/'));
    // queue and resilience come through @windsock/reporter, not from windsock's own dependencies.
    expect(names).toEqual(
      expect.arrayContaining([
        'windsock/dist',
        'core/dist',
        'reporter/dist',
        'queue/dist',
        'resilience/dist',
        'transport/dist',
        'protocol/dist',
      ]),
    );
    expect(new Set(names).size).toBe(names.length);
  });
});
