import { execFile, execFileSync } from 'node:child_process';
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

/** A Node.js binary of another major line (tooling/node-versions caches it). */
export function nodeBinary(major: string): string {
  const script = fileURLToPath(
    new URL('../../../../tooling/node-versions/install.sh', import.meta.url),
  );
  return execFileSync('bash', [script, major], { encoding: 'utf8' }).trim();
}

/** The lines fixtures run on: this process's Node.js (no binary: `runFixture`'s default), then 22, 24 and 26. */
export function nodeLines(): [label: string, node: string | undefined][] {
  return [
    [process.version, undefined],
    ...['22', '24', '26'].map((major): [string, string] => [`node ${major}`, nodeBinary(major)]),
  ];
}

/**
 * stderr without the warning Node 20 prints when import-in-the-middle's loader is registered from a `-r` preload
 * and initialised twice: the preload's concern, not the app's output.
 */
export function withoutLoaderWarning(stderr: string): string {
  return stderr
    .split('\n')
    .filter(
      (line) =>
        !/import-in-the-middle' hook has already been initialized|--trace-warnings/.test(line),
    )
    .join('\n')
    .trim();
}

/** The object a fixture printed on its `RESULTS {...}` line (what the app itself saw of each request). */
export function fixtureResults(run: FixtureRun): Record<string, string> {
  const line = /RESULTS (.*)/.exec(run.stdout);
  if (line === null) throw new Error(`no RESULTS line in the fixture's output:\n${run.stdout}`);
  return JSON.parse(line[1]!) as Record<string, string>;
}
