import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chown, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { freePort, tempDir, waitForPort, which } from './process.js';

/** A RabbitMQ broker started for a test; `stop()` ends it (and its own epmd) and removes its directory. */
export interface RabbitMqServer {
  /** The AMQP port on 127.0.0.1. */
  port: number;
  /** `amqp://guest:guest@127.0.0.1:<port>` (guest may log in from loopback, the broker's default). */
  url: string;
  /** The Erlang node name, unique per start. */
  nodeName: string;
  /** What the broker and epmd wrote to stdout and stderr (the end of it), for a failed start. */
  output(): string;
  /**
   * Stops the broker (SIGTERM to its VM, SIGKILL to what is left after `graceMs`), then epmd, then removes its
   * directory. Calling it again returns the same promise, so a test may stop the broker early and `afterAll` still
   * call it.
   */
  stop(graceMs?: number): Promise<void>;
}

export interface RabbitMqOptions {
  /** How long to wait for the AMQP listener (default 60 s: a first start takes several seconds). */
  startTimeoutMs?: number;
}

/** Debian's wrapper: as root it runs the broker as the `rabbitmq` user through `su`. */
const WRAPPER = '/usr/sbin/rabbitmq-server';

/**
 * Starts Debian's `rabbitmq-server` on a free port of 127.0.0.1. The Debian wrapper runs the broker as the `rabbitmq`
 * user (through `su` when started by root), so the data, log and config directories are a fresh temporary directory
 * owned by that user. Each start has its own node name, Erlang distribution port and epmd (started here on a free
 * port, loopback only), so parallel test runs never share a node or collide on the default ports. Requires root (the
 * wrapper refuses other users but `rabbitmq`, and the directory is handed to that user).
 */
export async function startRabbitMq(options: RabbitMqOptions = {}): Promise<RabbitMqServer> {
  const dir = await tempDir('rabbitmq');
  const { port, distPort, epmdPort } = await distinctFreePorts();
  const nodeName = `windsock-${randomBytes(4).toString('hex')}@localhost`;
  const paths = {
    mnesia: join(dir.path, 'mnesia'),
    log: join(dir.path, 'log'),
    config: join(dir.path, 'rabbitmq.conf'),
    envFile: join(dir.path, 'rabbitmq-env.conf'),
    plugins: join(dir.path, 'enabled_plugins'),
    advanced: join(dir.path, 'advanced.config'),
  };
  await mkdir(paths.mnesia);
  await mkdir(paths.log);
  // The console log (the wrapper's stdout when started by root) is what `output()` shows on a failed start.
  await writeFile(
    paths.config,
    ['log.console = true', 'log.console.level = warning', 'log.file = false', ''].join('\n'),
  );
  // An empty env file and plugin list, so /etc/rabbitmq's files (ports, node name, plugins) never apply.
  await writeFile(paths.envFile, '');
  await writeFile(paths.plugins, '[].\n');
  await writeFile(paths.advanced, '[].\n');
  const { uid, gid } = rabbitmqUser();
  for (const path of [dir.path, ...Object.values(paths)]) await chown(path, uid, gid);

  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-8_000);
  };
  const epmd = spawn(
    which('epmd') ?? 'epmd',
    ['-port', String(epmdPort), '-address', '127.0.0.1'],
    { stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  epmd.stdout.on('data', keep);
  epmd.stderr.on('data', keep);

  const broker = spawn(which('rabbitmq-server') ?? WRAPPER, [], {
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so that the group of the wrapper's shells can be signalled on stop.
    detached: true,
    env: {
      PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin',
      LANG: 'C.UTF-8',
      ERL_EPMD_PORT: String(epmdPort),
      RABBITMQ_NODENAME: nodeName,
      RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
      RABBITMQ_NODE_PORT: String(port),
      RABBITMQ_DIST_PORT: String(distPort),
      RABBITMQ_MNESIA_BASE: paths.mnesia,
      RABBITMQ_LOG_BASE: paths.log,
      RABBITMQ_CONFIG_FILE: paths.config,
      RABBITMQ_ADVANCED_CONFIG_FILE: paths.advanced,
      RABBITMQ_CONF_ENV_FILE: paths.envFile,
      RABBITMQ_ENABLED_PLUGINS_FILE: paths.plugins,
      // Erlang distribution on loopback only, like everything else a test starts.
      RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: '-kernel inet_dist_use_interface {127,0,0,1}',
    },
  });
  broker.stdout.on('data', keep);
  broker.stderr.on('data', keep);

  let stopping: Promise<void> | undefined;
  const stop = (graceMs = 15_000) => (stopping ??= stopAll(graceMs));
  const stopAll = async (graceMs: number) => {
    // `su` starts the VM in a session of its own, out of reach of the wrapper's process group: the processes
    // carrying this start's node name in their environment are found instead. The VM alone gets SIGTERM and shuts
    // its helpers down itself; whatever is left after the grace period is killed. epmd goes last, as the VM would
    // restart it.
    const processes = await processesWithEnv(`RABBITMQ_NODENAME=${nodeName}`);
    const groups = new Set(processes.map((p) => p.pgid));
    if (broker.pid !== undefined) groups.add(broker.pid);
    const vms = processes.filter((p) => p.command === 'beam.smp');
    if (vms.length === 0) for (const pgid of groups) signalGroup(pgid, 'SIGTERM');
    for (const vm of vms) signalProcess(vm.pid, 'SIGTERM');
    await awaitGroups([...groups], graceMs);
    if (epmd.pid !== undefined) {
      signalGroup(epmd.pid, 'SIGTERM');
      await awaitGroups([epmd.pid], 2_000);
    }
    await Promise.all([exitOf(broker), exitOf(epmd)]);
    await dir.remove();
  };
  try {
    await waitForPort(port, options.startTimeoutMs ?? 60_000, broker);
  } catch (error) {
    await stop(2_000);
    throw new Error(`rabbitmq-server did not start: ${String(error)}\n${output}`);
  }
  return {
    port,
    url: `amqp://guest:guest@127.0.0.1:${port}`,
    nodeName,
    output: () => output,
    stop,
  };
}

async function distinctFreePorts(): Promise<{ port: number; distPort: number; epmdPort: number }> {
  const ports = new Set<number>();
  while (ports.size < 3) ports.add(await freePort());
  const [port = 0, distPort = 0, epmdPort = 0] = [...ports];
  return { port, distPort, epmdPort };
}

function rabbitmqUser(): { uid: number; gid: number } {
  const uid = Number(execFileSync('id', ['-u', 'rabbitmq'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'rabbitmq'], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

interface ProcessInfo {
  pid: number;
  pgid: number;
  /** The executable's name (`/proc/<pid>/comm`). */
  command: string;
}

/** The processes whose environment holds `entry` (`NAME=value`), from `/proc`. */
async function processesWithEnv(entry: string): Promise<ProcessInfo[]> {
  const found: ProcessInfo[] = [];
  const wanted = Buffer.from(`${entry}\0`);
  const afterNul = Buffer.concat([Buffer.from([0]), wanted]);
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const environ = await readFile(`/proc/${name}/environ`);
      if (environ.indexOf(wanted) !== 0 && environ.indexOf(afterNul) < 0) continue;
      const stat = await readFile(`/proc/${name}/stat`, 'utf8');
      // The command name (field 2) is in parentheses and may hold spaces: the group id is the third field after it.
      const pgid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
      const command = (await readFile(`/proc/${name}/comm`, 'utf8')).trim();
      if (Number.isInteger(pgid) && pgid > 1) found.push({ pid: Number(name), pgid, command });
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return found;
}

/** Waits until no process of the groups is left; SIGKILL to what is left after `graceMs`. */
async function awaitGroups(pgids: readonly number[], graceMs: number): Promise<void> {
  const deadline = Date.now() + graceMs;
  while (pgids.some(groupAlive)) {
    if (Date.now() > deadline) {
      for (const pgid of pgids) signalGroup(pgid, 'SIGKILL');
      break;
    }
    await delay(100);
  }
}

function exitOf(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  signalProcess(-pgid, signal);
}

function signalProcess(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
}
