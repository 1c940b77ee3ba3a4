import { createRequire, register } from 'node:module';
import { isMainThread } from 'node:worker_threads';
import { supportsSyncHooks } from 'import-in-the-middle/supports-sync-hooks.mjs';

// One loader per process, whatever number of agents or entry points ask for it: a second registration would wrap
// every module twice.
const kRegistered = Symbol.for('windsock.esm-loader');
type WithFlag = typeof globalThis & { [kRegistered]?: boolean };

/**
 * Registers import-in-the-middle's loader for the given package names, so an ES module `import` of them can be
 * patched like a `require` (which require-in-the-middle sees without a loader). Only the listed packages are wrapped.
 * Synchronous in-thread hooks where Node.js runs them correctly (`supportsSyncHooks`), else `module.register`.
 * Returns false when neither is available or registration failed; CommonJS hooking works either way.
 */
export function registerEsmLoader(moduleNames: readonly string[]): boolean {
  const scope = globalThis as WithFlag;
  if (scope[kRegistered] === true) return true;
  // A `-r` preload runs again inside the thread `module.register` starts for the hooks: registering from there
  // would start the loader a second time (import-in-the-middle warns). The main thread's registration covers it.
  if (!isMainThread) return false;
  try {
    const include = [...moduleNames];
    if (supportsSyncHooks()) {
      const require = createRequire(import.meta.url);
      const hooks = require('import-in-the-middle/register-hooks.mjs') as {
        register(options: { include: string[] }): void;
      };
      hooks.register({ include });
    } else if (typeof register === 'function') {
      register('import-in-the-middle/hook.mjs', import.meta.url, { data: { include } });
    } else {
      return false;
    }
    scope[kRegistered] = true;
    return true;
  } catch {
    return false;
  }
}
