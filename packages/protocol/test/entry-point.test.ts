// @windsock/core imports this package for sw8 and the messages; it must not pull in gRPC with them.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const run = promisify(execFile);
const packageDir = fileURLToPath(new URL('..', import.meta.url));
const asModule = (source: string) => `data:text/javascript,${encodeURIComponent(source)}`;

// A resolve hook that makes loading @grpc/grpc-js fail.
const forbidGrpcHooks = asModule(`
export async function resolve(specifier, context, nextResolve) {
  if (specifier === '@grpc/grpc-js' || specifier.startsWith('@grpc/grpc-js/')) {
    throw new Error('@grpc/grpc-js was loaded from ' + context.parentURL);
  }
  return nextResolve(specifier, context);
}`);
const forbidGrpc = asModule(
  `import { register } from 'node:module'; register(${JSON.stringify(forbidGrpcHooks)});`,
);

function importWithoutGrpc(specifier: string) {
  const script = `const m = await import(${JSON.stringify(specifier)}); console.log(Object.keys(m).length);`;
  return run(
    process.execPath,
    ['--import', 'tsx', '--import', forbidGrpc, '--input-type=module', '-e', script],
    { cwd: packageDir },
  );
}

it('the root entry point loads without @grpc/grpc-js', async () => {
  const { stdout } = await importWithoutGrpc('./src/index.ts');
  expect(Number(stdout.trim())).toBeGreaterThan(50);
});

it('the guard itself works: importing @grpc/grpc-js under it fails', async () => {
  await expect(importWithoutGrpc('@grpc/grpc-js')).rejects.toThrow(/@grpc\/grpc-js was loaded/);
});
