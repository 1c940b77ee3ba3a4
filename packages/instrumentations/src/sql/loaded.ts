import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { type InstrumentationContext } from '@windsock/core';
import semver from 'semver';
import { type ModulePatch } from '../hooks/module-hook.js';

/** A module patch and the file it patches, relative to its package (`lib/client.js`, `index.js`). */
export interface LoadedPatch {
  readonly patch: ModulePatch;
  readonly file: string;
}

/**
 * Applies the patches to copies of the packages loaded before the instrumentation was enabled (the application
 * required or imported the driver, then started the agent): `hookModules` only sees later loads. Their exports are
 * found in `require.cache`, where an ES module import of a CommonJS package lands too. Versions are checked as
 * `hookModules` checks them; a copy patched both ways is wrapped once (`wrapMethod` skips its own wrappers).
 * Returns the undo.
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
      const version = packageVersion(normal.slice(0, normal.length - file.length - 1));
      const { name, versions } = patch.module;
      if (
        version === undefined ||
        !semver.satisfies(version, versions, { includePrerelease: true })
      ) {
        context.diagnostics.warn(
          `${instrumentation}:version`,
          `${name} ${version ?? '(unknown version)'} is outside ${instrumentation}'s supported range ${versions}: not instrumented`,
        );
        continue;
      }
      try {
        undos.push(patch.patch(exports, version));
      } catch (error) {
        context.diagnostics.warn(
          `${instrumentation}:patch`,
          `${instrumentation} could not instrument ${name} ${version}, left as it was: ${String(error)}`,
        );
      }
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

function packageVersion(basedir: string): string | undefined {
  try {
    const { version } = JSON.parse(readFileSync(join(basedir, 'package.json'), 'utf8')) as {
      version?: unknown;
    };
    return typeof version === 'string' ? version : undefined;
  } catch {
    return undefined;
  }
}
