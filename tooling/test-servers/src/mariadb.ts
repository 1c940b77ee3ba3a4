import { execFile } from 'node:child_process';
import { join } from 'node:path';
import {
  freePort,
  startProcess,
  tempDir,
  waitForPort,
  which,
  type ServerProcess,
} from './process.js';

/** A MariaDB server started for a test (the MySQL protocol: `mysql2` talks to it). */
export interface MariadbServer {
  readonly host: '127.0.0.1';
  readonly port: number;
  /** A database `user` owns. */
  readonly database: string;
  /** A user with a password and every privilege (`windsock`@`%`). */
  readonly user: string;
  readonly password: string;
  /** The server's unix socket (inside the temporary directory). */
  readonly socket: string;
  /** The server's log so far. */
  output(): string;
  /** Stops the server (SIGTERM: it closes open sessions) and removes its directory. Idempotent. */
  stop(): Promise<void>;
}

export interface MariadbOptions {
  startTimeoutMs?: number;
}

const DATABASE = 'windsock';
const USER = 'windsock';
const PASSWORD = 'windsock-secret';

/**
 * Starts MariaDB (Debian's `mariadb-server` package) on a free port of 127.0.0.1, its data and socket in a new
 * temporary directory, with a password user and a database for the tests.
 */
export async function startMariadb(options: MariadbOptions = {}): Promise<MariadbServer> {
  const installDb = which('mariadb-install-db');
  const mariadbd = which('mariadbd') ?? which('mysqld');
  const client = which('mariadb');
  if (installDb === undefined || mariadbd === undefined || client === undefined)
    throw new Error('MariaDB not found: install Debian `mariadb-server`');
  const dir = await tempDir('mariadb');
  const data = join(dir.path, 'data');
  const socket = join(dir.path, 'mysqld.sock');
  let server: ServerProcess | undefined;
  try {
    const asRoot = process.getuid?.() === 0;
    const userArgs = asRoot ? ['--user=root'] : [];
    await run(installDb, [
      '--no-defaults',
      `--datadir=${data}`,
      '--auth-root-authentication-method=normal',
      '--skip-test-db',
      '--skip-name-resolve',
      ...userArgs,
    ]);
    const port = await freePort();
    const started = startProcess(mariadbd, [
      '--no-defaults',
      `--datadir=${data}`,
      `--port=${port}`,
      '--bind-address=127.0.0.1',
      `--socket=${socket}`,
      '--skip-networking=0',
      `--pid-file=${join(dir.path, 'mariadbd.pid')}`,
      '--skip-name-resolve',
      '--skip-log-bin',
      '--innodb-buffer-pool-size=16M',
      ...userArgs,
    ]);
    server = started;
    const timeoutMs = options.startTimeoutMs ?? 30_000;
    await waitForPort(port, timeoutMs, started.child);
    await waitForOutput(started, 'ready for connections', timeoutMs);
    await run(client, [
      '--no-defaults',
      `--socket=${socket}`,
      '-u',
      'root',
      '-e',
      [
        `CREATE DATABASE ${DATABASE}`,
        `CREATE USER '${USER}'@'%' IDENTIFIED BY '${PASSWORD}'`,
        `GRANT ALL PRIVILEGES ON *.* TO '${USER}'@'%'`,
      ].join('; '),
    ]);

    let stopped = false;
    return {
      host: '127.0.0.1',
      port,
      database: DATABASE,
      user: USER,
      password: PASSWORD,
      socket,
      output: () => started.output(),
      async stop() {
        if (stopped) return;
        stopped = true;
        await started.stop();
        await dir.remove();
      },
    };
  } catch (error) {
    const log = server?.output() ?? '';
    await server?.stop();
    await dir.remove();
    throw new Error(`MariaDB did not start: ${String(error)}\n${log}`);
  }
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { timeout: 60_000 }, (error, stdout, stderr) => {
      if (error === null) resolve();
      else reject(new Error(`${command} failed: ${error.message}\n${stdout}${stderr}`));
    });
  });
}

async function waitForOutput(
  server: ServerProcess,
  text: string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!server.output().includes(text)) {
    if (server.child.exitCode !== null)
      throw new Error(`server exited with code ${server.child.exitCode}`);
    if (Date.now() > deadline) throw new Error(`no "${text}" after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
