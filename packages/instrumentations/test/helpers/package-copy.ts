import { cpSync, readdirSync, realpathSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * Copies the real package `name` (as this package's tests resolve it) into `dir/node_modules/`, with its own
 * dependencies linked beside it, so a test can relabel the copy (another version) and load it with the returned
 * `require`, as an application in `dir` would.
 */
export function copyPackage(
  dir: string,
  name: string,
): { packageDir: string; require: NodeJS.Require } {
  const real = realpathSync(
    dirname(createRequire(import.meta.url).resolve(`${name}/package.json`)),
  );
  const modules = join(dir, 'node_modules');
  const packageDir = join(modules, name);
  cpSync(real, packageDir, { recursive: true, dereference: true });
  for (const dep of readdirSync(dirname(real))) {
    if (dep !== name) symlinkSync(join(dirname(real), dep), join(modules, dep));
  }
  return { packageDir, require: createRequire(join(dir, 'app.js')) };
}
