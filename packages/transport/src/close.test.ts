import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startCollector } from '@windsock/collector';
import { describe, expect, it } from 'vitest';

const script = fileURLToPath(new URL('../test/exit/close-then-exit.ts', import.meta.url));
const idleScript = fileURLToPath(new URL('../test/exit/idle-then-exit.ts', import.meta.url));

/** Runs a script under tsx; it is killed after 15 s, and exiting by itself takes well under that. */
function runChild(
  path: string,
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      ['--import', 'tsx', path],
      { timeout: 15_000, env: { ...process.env, ...env } },
      (_error, out) => resolve({ code: child.exitCode, stdout: out }),
    );
  });
}

describe('process lifetime', () => {
  it('after close() the process exits by itself', async () => {
    const { code, stdout } = await runChild(script);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual([
      'ok',
      'safe',
      'safe',
      'ok',
      'safe',
      'safe',
      'safe',
      'safe',
    ]);
  }, 20_000);

  it('an idle transport that is never closed does not keep the process alive', async () => {
    // The backend lives in this process; the child uses both connections, then simply stops doing anything.
    const collector = await startCollector();
    try {
      const { code, stdout } = await runChild(idleScript, { BACKEND: collector.address });
      expect(code).toBe(0);
      expect(JSON.parse(stdout)).toEqual(['ok', 'ok']);
      expect(collector.counts().logs).toBe(1);
    } finally {
      await collector.stop();
    }
  }, 20_000);
});
