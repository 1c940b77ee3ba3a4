import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type InstrumentationContext, type SupportedModule } from '@windsock/core';
import { Hook as ImportHook } from 'import-in-the-middle';
import { Hook as RequireHook } from 'require-in-the-middle';
import semver from 'semver';

/** Patches one file of a package (its main export by default) when the package loads. */
export interface ModulePatch {
  /** The package and the versions this patch supports. */
  readonly module: SupportedModule;
  /**
   * A file inside the package, as it is required internally (`lib/router/layer.js`). Internal files are reached by
   * `require` even when the application `import`s the package, so patching them works in CJS and ESM alike.
   */
  readonly file?: string;
  /**
   * Wraps what the module exports (the `module.exports` object, also for an ES module import of a CommonJS
   * package); returns the undo. Called at most once per loaded copy of the module.
   */
  patch(exports: unknown, version: string): () => void;
}

/**
 * Hooks `require` (require-in-the-middle) and `import` (import-in-the-middle, once `registerEsmLoader` ran) for the
 * packages the patches name, checks each loaded copy's version against the supported range, and applies the patch.
 * A version outside the range or a patch that throws costs one diagnostic line and leaves the module as it was.
 * Returns the undo: unhooks, and undoes every patch applied.
 */
export function hookModules(
  instrumentation: string,
  context: InstrumentationContext,
  patches: readonly ModulePatch[],
): () => void {
  const undos: (() => void)[] = [];
  const patched = new WeakSet<object>();

  const apply = (patch: ModulePatch, exports: unknown, basedir: string | undefined): void => {
    if ((typeof exports !== 'object' && typeof exports !== 'function') || exports === null) return;
    if (patched.has(exports)) return;
    patched.add(exports);
    const undo = applyPatch(instrumentation, context, patch, exports, packageVersion(basedir));
    if (undo !== undefined) undos.push(undo);
  };

  const hooks: { unhook(): void }[] = [];
  for (const patch of patches) {
    const { name } = patch.module;
    const target = patch.file === undefined ? name : `${name}/${patch.file}`;
    hooks.push(
      new RequireHook(
        [name],
        { internals: patch.file !== undefined },
        (exports, loaded, basedir) => {
          if (normalise(loaded) === target) apply(patch, exports, basedir);
          return exports;
        },
      ),
    );
    if (patch.file === undefined) {
      hooks.push(
        new ImportHook([name], (namespace, _loaded, basedir, format) => {
          // For a CommonJS package, patch the `module.exports` object `require` returns (the namespace's default).
          const exports =
            format === 'module' ? namespace : ((namespace.default as unknown) ?? namespace);
          apply(patch, exports, basedir ?? undefined);
        }),
      );
    }
  }

  return () => {
    for (const hook of hooks) hook.unhook();
    for (const undo of undos.splice(0).reverse()) {
      try {
        undo();
      } catch {
        // Undoing is best effort; the wrappers also check whether they are still enabled.
      }
    }
  };
}

/**
 * Applies one patch to one loaded copy after checking its version against the supported range. A version outside
 * it, or a patch that throws, costs one diagnostic line and leaves the module as it was (undefined is returned).
 */
export function applyPatch(
  instrumentation: string,
  context: InstrumentationContext,
  patch: ModulePatch,
  exports: object,
  version: string | undefined,
): (() => void) | undefined {
  const { name, versions } = patch.module;
  if (version === undefined || !semver.satisfies(version, versions, { includePrerelease: true })) {
    context.diagnostics.warn(
      `${instrumentation}:version`,
      `${name} ${version ?? '(unknown version)'} is outside ${instrumentation}'s supported range ${versions}: not instrumented`,
    );
    return undefined;
  }
  try {
    return patch.patch(exports, version);
  } catch (error) {
    context.diagnostics.warn(
      `${instrumentation}:patch`,
      `${instrumentation} could not instrument ${name} ${version}, left as it was: ${String(error)}`,
    );
    return undefined;
  }
}

function normalise(loaded: string): string {
  return loaded.replaceAll('\\', '/');
}

/** The `version` in `basedir/package.json`, or undefined. */
export function packageVersion(basedir: string | undefined): string | undefined {
  if (basedir === undefined) return undefined;
  try {
    const { version } = JSON.parse(readFileSync(join(basedir, 'package.json'), 'utf8')) as {
      version?: unknown;
    };
    return typeof version === 'string' ? version : undefined;
  } catch {
    return undefined;
  }
}
