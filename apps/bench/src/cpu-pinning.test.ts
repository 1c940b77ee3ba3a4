import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allowedCpus, forkOnCpus, planPinning } from './cpu-pinning.js';

describe('planPinning', () => {
  it('gives the child CPU 0 and the bench every other CPU', () => {
    expect(planPinning(2)).toEqual({ child: '0', parent: '1' });
    expect(planPinning(8)).toEqual({ child: '0', parent: '1-7' });
  });

  it('refuses a machine with nothing to split', () => {
    expect(() => planPinning(1)).toThrow(/at least 2 CPUs, this machine has 1/);
  });
});

describe('allowedCpus', () => {
  it("reads Linux's list, and gives up quietly where there is none", () => {
    expect(allowedCpus(() => 'Name:\tnode\nCpus_allowed:\t3\nCpus_allowed_list:\t0-1\n')).toBe(
      '0-1',
    );
    expect(allowedCpus(() => 'Name:\tnode\n')).toBeUndefined();
    expect(
      allowedCpus(() => {
        throw new Error('ENOENT');
      }),
    ).toBeUndefined();
  });
});

describe.runIf(process.platform === 'linux')('forkOnCpus', () => {
  async function cpusOfChild(cpuList: string | undefined): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'bench-pin-'));
    try {
      const script = join(dir, 'report.cjs');
      // The child answers over IPC, so this also shows that the channel survives taskset's exec.
      await writeFile(
        script,
        "const s = require('node:fs').readFileSync('/proc/self/status', 'utf8');\n" +
          'process.send(/^Cpus_allowed_list:\\s*(\\S+)/m.exec(s)[1], () => process.disconnect());\n',
      );
      const child = forkOnCpus(script, { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] }, cpuList);
      const [message] = (await once(child, 'message')) as [string];
      await once(child, 'exit');
      return message;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  it('starts the child on the CPUs given, with its IPC channel', async () => {
    expect(await cpusOfChild('0')).toBe('0');
  });

  it('leaves the affinity alone without a list', async () => {
    const own = allowedCpus(() => readFileSync('/proc/self/status', 'utf8'));
    expect(await cpusOfChild(undefined)).toBe(own);
  });
});
