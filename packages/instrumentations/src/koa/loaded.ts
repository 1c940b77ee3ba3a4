import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { type InstrumentationContext } from '@windsock/core';
import semver from 'semver';
import { type ModulePatch } from '../hooks/module-hook.js';

/** A module patch and the file whose exports it patches, relative to its package. */
export interface LoadedPatch {
  readonly patch: ModulePatch;
  readonly file: string;
}

/**
 * Applies the patches to copies loaded before the instrumentation was enabled (the app required or imported Koa,
 * then called `start()`): `hookModules` sees only later `require`s. Their exports are in `require.cache` (an ES
 * module import of Koa lands there too, through `lib/application.js`; @koa/router's ES module build does not).
 * Koa and @koa/router look their methods up on the prototype for each request, so apps created earlier are covered.
 * Versions are checked as `hookModules` checks them. Returns the undo.
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
      const { name, versions } = patch.module;
      const version = packageVersion(filename.slice(0, filename.length - file.length - 1));
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
