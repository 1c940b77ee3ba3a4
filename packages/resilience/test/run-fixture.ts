import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

/**
 * Runs a script (by default one of test/fixtures) in a fresh Node.js process with tsx and parses the last line it
 * prints as JSON.
 */
export function runFixture(
  name: string,
  nodeFlags: string[] = [],
  dir = 'test/fixtures',
): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [...nodeFlags, '--import', 'tsx', `${dir}/${name}`],
      { cwd: packageDir, timeout: 120_000 },
      (error, stdout, stderr) => {
        if (error) {
          reject(new Error(`${name} failed: ${error.message}\n${stderr}`));
          return;
        }
        const line = stdout.trim().split('\n').pop() ?? '';
        try {
          resolve(JSON.parse(line) as Record<string, unknown>);
        } catch {
          reject(new Error(`${name} printed no JSON: ${stdout}\n${stderr}`));
        }
      },
    );
  });
}
