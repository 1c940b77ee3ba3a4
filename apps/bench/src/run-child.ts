import { fileURLToPath } from 'node:url';
import { forkOnCpus } from './cpu-pinning.js';
import {
  type ChildMessage,
  type ChildResult,
  type ChildTask,
  type ParentMessage,
} from './protocol.js';

const CHILD_ENTRY = fileURLToPath(new URL('./child.ts', import.meta.url));

/** How long past its own schedule a child may take (start-up, flush, shutdown) before it is killed. */
const GRACE_MS = 60_000;

/**
 * Runs one measurement in a fresh Node.js process and resolves with its figures. `onMessage` sees every message
 * (load start, progress) as it arrives, so the parent can switch the backend state on the child's clock.
 */
export function runChild(
  task: ChildTask,
  onMessage: (message: ChildMessage) => void = () => {},
  /** Runs after the child's result and before the child shuts its agent down: time for late deliveries. */
  settle: () => Promise<void> = () => Promise.resolve(),
): Promise<ChildResult> {
  return new Promise<ChildResult>((resolve, reject) => {
    const child = forkOnCpus(
      CHILD_ENTRY,
      {
        execArgv: ['--import', 'tsx', '--expose-gc'],
        env: { ...process.env, BENCH_TASK: JSON.stringify(task) },
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      },
      task.cpus,
    );
    // Agents log to stdout/stderr (connection errors while the backend is down); keep the tail for error reports.
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-4000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);

    let result: ChildResult | undefined;
    const limit = setTimeout(
      () => child.kill('SIGKILL'),
      task.warmupMs + task.durationMs + task.flushTimeoutMs * 3 + GRACE_MS,
    );
    child.on('message', (message: ChildMessage) => {
      onMessage(message);
      if (message.type === 'result') {
        result = message.result;
        void settle().then(() => {
          if (child.connected) child.send({ type: 'finish' } satisfies ParentMessage);
        });
      }
    });
    child.on('exit', (code, signal) => {
      clearTimeout(limit);
      if (result !== undefined) resolve(result);
      else
        reject(
          new Error(
            `${task.agent} child exited (${signal ?? code}) without a result:\n${output.trim()}`,
          ),
        );
    });
  });
}
