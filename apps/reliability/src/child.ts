// The parent's handle on the application under test: forks `app.ts`, records every sample, and keeps what an
// operator would see from outside — exit code, signal, stderr, crash reports.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type {
  AppTask,
  ChildMessage,
  FlushReply,
  HeapMeasure,
  LoadSummary,
  ParentCommand,
  Sample,
  ShutdownReply,
} from './protocol.js';

const APP = fileURLToPath(new URL('./app.ts', import.meta.url));

export interface AppProcessOptions {
  task: AppTask;
  /** Extra node flags, e.g. `--stack-size=256`. */
  nodeFlags?: string[];
  env?: NodeJS.ProcessEnv;
  /** Called with every sample as it arrives. */
  onSample?: (sample: Sample) => void;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

type Command = ParentCommand extends infer C
  ? C extends ParentCommand
    ? Omit<C, 'id'>
    : never
  : never;

export class AppProcess {
  readonly samples: Sample[] = [];
  readonly crashes: { kind: string; error: string }[] = [];
  stderr = '';
  readonly exited: Promise<Exit>;
  readonly ready: Promise<number>;
  private readonly child: ChildProcess;
  private readonly pending = new Map<number, (value: unknown) => void>();
  private nextId = 1;

  constructor(options: AppProcessOptions) {
    this.child = fork(APP, [], {
      execArgv: ['--import', 'tsx', '--expose-gc', ...(options.nodeFlags ?? [])],
      env: { ...process.env, ...options.env, RELIABILITY_APP: JSON.stringify(options.task) },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    this.child.stderr?.setEncoding('utf8');
    this.child.stderr?.on('data', (chunk: string) => {
      // Bounded: a misbehaving agent must not make the test runner's own memory grow.
      if (this.stderr.length < 1_000_000) this.stderr += chunk;
    });
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => resolve({ code, signal }));
    });
    this.ready = new Promise((resolve, reject) => {
      this.child.on('message', (message: ChildMessage) => {
        switch (message.type) {
          case 'ready':
            resolve(message.port);
            return;
          case 'sample':
            this.samples.push(message);
            options.onSample?.(message);
            return;
          case 'reply':
            this.pending.get(message.id)?.(message.value);
            this.pending.delete(message.id);
            return;
          case 'crash':
            this.crashes.push({ kind: message.kind, error: message.error });
            return;
        }
      });
      void this.exited.then((exit) =>
        reject(
          new Error(`the app exited before it was ready (${describeExit(exit)}): ${this.stderr}`),
        ),
      );
    });
  }

  measureHeap(): Promise<HeapMeasure> {
    return this.request<HeapMeasure>({ type: 'measure-heap' });
  }

  stopLoad(): Promise<LoadSummary> {
    return this.request<LoadSummary>({ type: 'stop-load' });
  }

  flush(timeoutMs: number): Promise<FlushReply> {
    return this.request<FlushReply>({ type: 'flush', timeoutMs });
  }

  shutdown(timeoutMs: number): Promise<ShutdownReply> {
    return this.request<ShutdownReply>({ type: 'shutdown', timeoutMs });
  }

  /** Resolves with the exit, or with `undefined` if the process is still running after `timeoutMs`. */
  async exitWithin(timeoutMs: number): Promise<Exit | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), timeoutMs);
    });
    const exit = await Promise.race([this.exited, late]);
    clearTimeout(timer);
    return exit;
  }

  /** For clean-up after a failed test only. */
  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }

  private request<T>(command: Command): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, resolve as (value: unknown) => void);
      void this.exited.then((exit) => {
        if (this.pending.delete(id)) {
          reject(
            new Error(`the app exited (${describeExit(exit)}) before answering ${command.type}`),
          );
        }
      });
      this.child.send({ ...command, id });
    });
  }
}

export function describeExit(exit: Exit): string {
  return exit.signal === null ? `code ${String(exit.code)}` : `signal ${exit.signal}`;
}
