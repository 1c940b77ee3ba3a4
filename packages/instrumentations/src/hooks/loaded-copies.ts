import { createRequire } from 'node:module';
import { type InstrumentationContext } from '@windsock/core';
import { applyPatch, type ModulePatch, packageVersion } from './module-hook.js';

/** A module patch and the file whose exports it patches, relative to its package (`lib/client.js`, `index.js`). */
export interface LoadedPatch {
  readonly patch: ModulePatch;
  readonly file: string;
}

/**
 * Applies the patches to copies of the packages loaded before the instrumentation was enabled (the application
 * required or imported the library, then called `start()`): `hookModules` only sees later loads, and a package's
 * internal files are required once. Their exports are in `require.cache`, where an ES module import of a CommonJS
 * package lands too. Versions are checked as `hookModules` checks them; a copy patched both ways is wrapped once
 * (`wrapMethod` skips its own wrappers). Returns the undo.
 */
export function patchLoadedCopies(
  instrumentation: string,
  context: InstrumentationContext,
  patches: readonly LoadedPatch[],
): () => void {
  const undos: (() => void)[] = [];
  const cache = createRequire(import.meta.url).cache;
  for (const filename of Object.keys(cache)) {
    const normal = filename.replaceAll('\\', '/');
    for (const { patch, file } of patches) {
      if (!normal.endsWith(`/node_modules/${patch.module.name}/${file}`)) continue;
      const exports: unknown = cache[filename]?.exports;
      if ((typeof exports !== 'object' && typeof exports !== 'function') || exports === null)
        continue;
      const basedir = normal.slice(0, normal.length - file.length - 1);
      const undo = applyPatch(instrumentation, context, patch, exports, packageVersion(basedir));
      if (undo !== undefined) undos.push(undo);
    }
  }
  return () => {
    for (const undo of undos.splice(0).reverse()) {
      try {
        undo();
      } catch {
        // Best effort, as for hookModules.
      }
    }
  };
}
