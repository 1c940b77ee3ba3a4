/**
 * `--pin=on`: the measured child on CPU 0 and this process (the receivers standing in for OAP) on the other CPUs.
 * Without it, the collector decoding tens of thousands of segments a second shares the child's cores in the
 * backend-up case, so that case measures the receiver's work as much as the agent's; a real backend runs elsewhere.
 * The child then also has one CPU for its own helper threads (garbage collector, compiler), as in a one-CPU
 * container, for every agent alike.
 */
import { execFileSync, fork, type ChildProcess, type ForkOptions } from 'node:child_process';
import { cpus } from 'node:os';

export interface CpuPlan {
  /** CPU list (taskset's syntax) for the measured child. */
  child: string;
  /** CPU list for this process and everything it starts besides the child. */
  parent: string;
}

const TASKSET = 'taskset';

/** The split for a machine of `cpuCount` CPUs; it needs two at least, or there is nothing to split. */
export function planPinning(cpuCount: number): CpuPlan {
  if (!Number.isInteger(cpuCount) || cpuCount < 2) {
    throw new Error(`--pin=on needs at least 2 CPUs, this machine has ${cpuCount}`);
  }
  return { child: '0', parent: cpuCount === 2 ? '1' : `1-${cpuCount - 1}` };
}

/**
 * Pins every thread of this process to `plan.parent` (threads started later inherit it) and returns the plan.
 * Fails with a clear message where `taskset` (util-linux, Linux only) cannot do it.
 */
export function pinThisProcess(cpuCount = cpus().length): CpuPlan {
  const plan = planPinning(cpuCount);
  if (process.platform !== 'linux') throw new Error('--pin=on works on Linux only (taskset)');
  try {
    execFileSync(
      TASKSET,
      ['--all-tasks', '--cpu-list', '--pid', plan.parent, String(process.pid)],
      {
        stdio: 'ignore',
      },
    );
  } catch (error) {
    throw new Error(`--pin=on: taskset could not pin this process (${(error as Error).message})`, {
      cause: error,
    });
  }
  return plan;
}

/**
 * `fork`, with the child started through `taskset` on `cpuList` when one is given: the affinity is set before Node
 * starts, so every thread the child ever has inherits it. The IPC channel passes through `taskset`'s exec.
 */
export function forkOnCpus(
  modulePath: string,
  options: ForkOptions,
  cpuList: string | undefined,
): ChildProcess {
  if (cpuList === undefined) return fork(modulePath, [], options);
  return fork(modulePath, [], {
    ...options,
    execPath: TASKSET,
    execArgv: ['--cpu-list', cpuList, process.execPath, ...(options.execArgv ?? [])],
  });
}

/** The CPUs this process may run on, as Linux lists them (`Cpus_allowed_list`), or undefined elsewhere. */
export function allowedCpus(status: () => string): string | undefined {
  try {
    return /^Cpus_allowed_list:\s*(\S+)/m.exec(status())?.[1];
  } catch {
    return undefined;
  }
}
