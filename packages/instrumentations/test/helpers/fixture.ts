import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type SegmentObject } from '@windsock/protocol';

const PRELOAD = fileURLToPath(new URL('../fixtures/preload.cjs', import.meta.url));

export interface FixtureRun {
  code: number | null;
  segments: SegmentObject[];
  diagnostics: string[];
  /** stdout without the SEGMENT and DIAGNOSTIC lines. */
  stdout: string;
  stderr: string;
}

export interface FixtureOptions {
  /** Instrumentation names to enable (the registry's). */
  plugins: readonly string[];
  /** How the preload is loaded: `-r` (as `node -r windsock/register`) or `--import`. Default: `--import` for .mjs. */
  preload?: '-r' | '--import';
  env?: Record<string, string>;
  /** The node binary (default: the one running the tests); see tooling/node-versions/install.sh. */
  node?: string;
  timeoutMs?: number;
}

/**
 * Runs a fixture application (a plain .cjs or .mjs file a user could have written) in its own process with the
 * test preload, and returns the segments it reported. The app must exit by itself when done.
 */
export function runFixture(file: string, options: FixtureOptions): Promise<FixtureRun> {
  const preload = options.preload ?? (file.endsWith('.mjs') ? '--import' : '-r');
  const args = [preload, PRELOAD, file];
  return new Promise((resolve) => {
    execFile(
      options.node ?? process.execPath,
      args,
      {
        env: { ...process.env, ...options.env, WINDSOCK_TEST_PLUGINS: options.plugins.join(',') },
        timeout: options.timeoutMs ?? 30_000,
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const segments: SegmentObject[] = [];
        const diagnostics: string[] = [];
        const rest: string[] = [];
        for (const line of stdout.split('\n')) {
          if (line.startsWith('SEGMENT '))
            segments.push(JSON.parse(line.slice(8)) as SegmentObject);
          else if (line.startsWith('DIAGNOSTIC ')) diagnostics.push(line.slice(11));
          else if (line !== '') rest.push(line);
        }
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
        resolve({ code, segments, diagnostics, stdout: rest.join('\n'), stderr });
      },
    );
  });
}
