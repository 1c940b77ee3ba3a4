// `pnpm build:watch` (beside `pnpm dev`) rebuilds the library packages; this notices when a rebuilt agent lands in their
// dist folders (or a demo service's source changes) and asks for one restart per burst of writes.
import { existsSync, readFileSync, watch, type FSWatcher } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const DEBOUNCE_MS = 400;

/** The dist folders of `windsock` and of every workspace package it depends on. */
export function agentDistFolders(fromFile: string): string[] {
  const folders: string[] = [];
  let manifestPath: string;
  try {
    manifestPath = createRequire(fromFile).resolve('windsock/package.json');
  } catch {
    return folders;
  }
  // Transitively: windsock → @windsock/reporter → @windsock/queue, and so on; each package once.
  const seen = new Set<string>();
  const pending = [manifestPath];
  for (let path = pending.pop(); path !== undefined; path = pending.pop()) {
    const root = dirname(path);
    if (seen.has(root)) continue;
    seen.add(root);
    folders.push(join(root, 'dist'));
    const manifest = JSON.parse(readFileSync(path, 'utf8')) as {
      dependencies?: Record<string, string>;
    };
    const fromPackage = createRequire(path);
    for (const name of Object.keys(manifest.dependencies ?? {})) {
      if (!name.startsWith('@windsock/')) continue;
      try {
        pending.push(fromPackage.resolve(`${name}/package.json`));
      } catch {
        // A dependency without an exported package.json is simply not watched.
      }
    }
  }
  return folders;
}

/**
 * Calls `onChange` once per quiet period after files change in any of `folders`. Watches each folder's parent
 * too, because a clean rebuild can delete and re-create the folder itself, which ends a watch on it.
 */
export function watchFolders(folders: readonly string[], onChange: () => void): () => void {
  const watchers = new Map<string, FSWatcher>();
  let timer: NodeJS.Timeout | undefined;
  const changed = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      arm();
      onChange();
    }, DEBOUNCE_MS);
    timer.unref();
  };
  const watchOne = (path: string, filter?: (file: string | null) => boolean) => {
    if (watchers.has(path) || !existsSync(path)) return;
    try {
      const watcher = watch(path, (_event, file) => {
        if (filter === undefined || filter(file)) changed();
      });
      watcher.on('error', () => {
        watcher.close();
        watchers.delete(path);
      });
      watcher.unref();
      watchers.set(path, watcher);
    } catch {
      // Unwatchable (e.g. removed in between): the parent's watch re-arms it.
    }
  };
  // Re-created on every change: a watch on a folder that was deleted and made again watches nothing, and
  // existsSync cannot tell the old folder from the new one.
  const arm = () => {
    for (const watcher of watchers.values()) watcher.close();
    watchers.clear();
    for (const folder of folders) {
      watchOne(folder);
      const name = folder.split(/[\\/]/).pop();
      watchOne(dirname(folder), (file) => file === name);
    }
  };
  arm();
  return () => {
    clearTimeout(timer);
    for (const watcher of watchers.values()) watcher.close();
    watchers.clear();
  };
}
