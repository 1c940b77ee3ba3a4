import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type Collector, startCollector } from '@windsock/collector';
import { type SegmentObject, type SpanObject } from '@windsock/protocol';

export const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

/** A fixture application under `windsock/register`, reporting to a collector of its own. */
export interface AgentApp {
  collector: Collector;
  child: ChildProcess;
  /** What the app wrote to stdout and stderr so far. */
  output(): string;
  /** Resolves with the first line of stdout matching `pattern` (e.g. `listening on (\d+)`). */
  line(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Every span the collector received, with its segment. */
  spans(): { segment: SegmentObject; span: SpanObject }[];
  /** SIGTERM (the agent flushes on it), then waits for exit; stops the collector. */
  stop(): Promise<void>;
}

export interface AgentAppOptions {
  /** `-r` for CommonJS apps, `--import` for ES module apps (default: by the file's extension). */
  preload?: '-r' | '--import';
  env?: Record<string, string>;
  args?: string[];
  node?: string;
}

/**
 * Starts the collector, then `node -r|--import windsock/register <fixture>` with the agent pointed at it, as a user
 * runs an app: nothing in the app knows about the test.
 */
export async function startAgentApp(
  fixture: string,
  options: AgentAppOptions = {},
): Promise<AgentApp> {
  const collector = await startCollector({ port: 0 });
  const file = fixture.startsWith('/') ? fixture : `${FIXTURES}${fixture}`;
  const preload = options.preload ?? (file.endsWith('.mjs') ? '--import' : '-r');
  const child = spawn(
    options.node ?? process.execPath,
    [preload, 'windsock/register', file, ...(options.args ?? [])],
    {
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
      env: {
        ...process.env,
        SW_AGENT_NAME: 'e2e-app',
        SW_AGENT_COLLECTOR_BACKEND_SERVICES: collector.address,
        SW_AGENT_LOGGING_LEVEL: 'info',
        SW_AGENT_SHUTDOWN_ON_SIGNALS: 'true',
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const waiters = new Set<() => void>();
  const append = (chunk: Buffer) => {
    output += chunk.toString();
    for (const waiter of waiters) waiter();
  };
  child.stdout.on('data', append);
  child.stderr.on('data', append);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    collector,
    child,
    output: () => output,
    line(pattern, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = output.match(pattern);
          if (match !== null) {
            done();
            resolve(match);
          } else if (child.exitCode !== null) {
            done();
            reject(new Error(`app exited (${child.exitCode}) before ${pattern}:\n${output}`));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`no ${pattern} within ${timeoutMs} ms:\n${output}`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        child.once('exit', check);
        check();
      });
    },
    spans: () =>
      collector.segments().flatMap((segment) => segment.spans.map((span) => ({ segment, span }))),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      await collector.stop();
    },
  };
}

/** A tag's value on a span, or undefined. */
export function tagOf(span: SpanObject, key: string): string | undefined {
  return span.tags.find((t) => t.key === key)?.value;
}
