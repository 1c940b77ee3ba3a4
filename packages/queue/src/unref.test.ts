// The loop's timers must never keep a process alive: an application that is done exits, even with the agent's
// queue lingering, paused on an open breaker, or waiting on a flush.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

const script = `
import { BoundedQueue } from './src/index.ts';
const q = new BoundedQueue({ maxItems: 10, maxBytes: 100 });
void q.drain(() => ({ outcome: { kind: 'requeue' }, pauseMs: 3_600_000 }), { lingerMs: 0 });
q.offer('a', 1);
const other = new BoundedQueue({ maxItems: 10, maxBytes: 100 });
void other.drain(() => ({ outcome: { kind: 'delivered' } }), { lingerMs: 3_600_000 });
other.offer('b', 1);
void other.flush(3_600_000);
setTimeout(() => console.log('app done'), 50);
`;

describe('timers', () => {
  it('are unref’d: the process exits by itself while the loop pauses, lingers and flushes', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script],
      {
        cwd: packageDir,
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
      child.on('exit', (c, s) => resolve([c, s])),
    );
    clearTimeout(killer);
    expect(signal).toBeNull(); // not killed: it left on its own
    expect(code).toBe(0);
    expect(out).toContain('app done');
  });
});
