import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const script = fileURLToPath(new URL('../test/exit/close-then-exit.ts', import.meta.url));

describe('process lifetime', () => {
  it('after close() the process exits by itself', async () => {
    const { code, stdout } = await new Promise<{ code: number | null; stdout: string }>(
      (resolve) => {
        // The child is killed after 15 s; exiting by itself takes well under that.
        const child = execFile(
          process.execPath,
          ['--import', 'tsx', script],
          { timeout: 15_000 },
          (_error, out) => resolve({ code: child.exitCode, stdout: out }),
        );
      },
    );
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual(['ok', 'safe', 'safe', 'safe']);
  }, 20_000);
});
