import { execFile } from 'node:child_process';
import { chown, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  freePort,
  startProcess,
  tempDir,
  waitForPort,
  which,
  type ServerProcess,
} from './process.js';

/** A PostgreSQL server started for a test: trust for `postgres`, a password for `passwordUser`. */
export interface PostgresServer {
  readonly host: '127.0.0.1';
  readonly port: number;
  /** A database both users may use. */
  readonly database: string;
  /** The superuser, trusted over TCP from 127.0.0.1 (no password). */
  readonly user: string;
  /** A user that must authenticate with its password (scram-sha-256), for credential handling tests. */
  readonly passwordUser: { readonly user: string; readonly password: string };
  /** The directory holding the server's unix socket (inside the temporary directory). */
  readonly socketDir: string;
  /** The server's log so far. */
  output(): string;
  /**
   * Stops the server with a fast shutdown (open sessions are terminated, as a crash or an operator would) and
   * removes its directory. Idempotent.
   */
  stop(): Promise<void>;
}

export interface PostgresOptions {
  /** Extra `-c name=value` settings for the server. */
  settings?: Record<string, string>;
  startTimeoutMs?: number;
}

const DATABASE = 'windsock';
const PASSWORD_USER = 'windsock';
const PASSWORD = 'windsock-secret';

/**
 * Starts PostgreSQL (Debian's `postgresql` package) on a free port of 127.0.0.1, its data and unix socket in a new
 * temporary directory. PostgreSQL refuses to run as root, so under root `initdb` and `postgres` run as the
 * `postgres` user (the directory is handed to it).
 */
export async function startPostgres(options: PostgresOptions = {}): Promise<PostgresServer> {
  const bin = await postgresBin();
  const dir = await tempDir('postgres');
  const data = join(dir.path, 'data');
  let server: ServerProcess | undefined;
  try {
    const owner = await runAsOwner();
    if (owner !== undefined) await chown(dir.path, owner.uid, owner.gid);
    const spawnAs = owner === undefined ? {} : { uid: owner.uid, gid: owner.gid };

    await run(
      join(bin, 'initdb'),
      ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8'],
      spawnAs,
    );
    // First match wins: the password user must authenticate over TCP; everyone else is trusted.
    await writeFile(
      join(data, 'pg_hba.conf'),
      [
        'local all all trust',
        `host all ${PASSWORD_USER} 127.0.0.1/32 scram-sha-256`,
        'host all all 127.0.0.1/32 trust',
        '',
      ].join('\n'),
    );
    if (owner !== undefined) await chown(join(data, 'pg_hba.conf'), owner.uid, owner.gid);

    const port = await freePort();
    const settings: Record<string, string> = {
      listen_addresses: '127.0.0.1',
      unix_socket_directories: dir.path,
      fsync: 'off',
      full_page_writes: 'off',
      synchronous_commit: 'off',
      password_encryption: 'scram-sha-256',
      ...options.settings,
    };
    const args = ['-D', data, '-p', String(port)];
    for (const [name, value] of Object.entries(settings)) args.push('-c', `${name}=${value}`);
    const started = startProcess(join(bin, 'postgres'), args, spawnAs);
    server = started;
    const timeoutMs = options.startTimeoutMs ?? 30_000;
    await waitForPort(port, timeoutMs, started.child);
    await waitForOutput(started, 'ready to accept connections', timeoutMs);

    await run(
      join(bin, 'psql'),
      [
        '-h',
        dir.path,
        '-p',
        String(port),
        '-U',
        'postgres',
        '-v',
        'ON_ERROR_STOP=1',
        '-c',
        `CREATE USER ${PASSWORD_USER} WITH PASSWORD '${PASSWORD}'`,
        '-c',
        `CREATE DATABASE ${DATABASE} OWNER ${PASSWORD_USER}`,
      ],
      spawnAs,
    );

    let stopped = false;
    return {
      host: '127.0.0.1',
      port,
      database: DATABASE,
      user: 'postgres',
      passwordUser: { user: PASSWORD_USER, password: PASSWORD },
      socketDir: dir.path,
      output: () => started.output(),
      async stop() {
        if (stopped) return;
        stopped = true;
        // SIGINT is PostgreSQL's fast shutdown; SIGTERM (what stop() sends next) would wait for every session.
        if (started.child.exitCode === null && started.child.signalCode === null)
          started.child.kill('SIGINT');
        await started.stop();
        await dir.remove();
      },
    };
  } catch (error) {
    const log = server?.output() ?? '';
    if (server !== undefined) {
      server.child.kill('SIGINT');
      await server.stop();
    }
    await dir.remove();
    throw new Error(`PostgreSQL did not start: ${String(error)}\n${log}`);
  }
}

/** The directory of `initdb` and `postgres`: `POSTGRES_BIN`, Debian's newest `/usr/lib/postgresql/<n>/bin`, or PATH. */
async function postgresBin(): Promise<string> {
  const fromEnv = process.env.POSTGRES_BIN;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  try {
    const versions = (await readdir('/usr/lib/postgresql'))
      .filter((name) => /^\d+$/.test(name))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0] !== undefined) return join('/usr/lib/postgresql', versions[0], 'bin');
  } catch {
    // not Debian's layout
  }
  const initdb = which('initdb');
  if (initdb === undefined)
    throw new Error('PostgreSQL not found: install Debian `postgresql` or set POSTGRES_BIN');
  return join(initdb, '..');
}

/** The `postgres` account when running as root (PostgreSQL will not run as root), else undefined. */
async function runAsOwner(): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const passwd = await readFile('/etc/passwd', 'utf8');
  for (const line of passwd.split('\n')) {
    const [name, , uid, gid] = line.split(':');
    if (name === 'postgres' && uid !== undefined && gid !== undefined)
      return { uid: Number(uid), gid: Number(gid) };
  }
  throw new Error('running as root and no `postgres` user exists to run PostgreSQL as');
}

function run(
  command: string,
  args: string[],
  options: { uid?: number; gid?: number },
): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { ...options, timeout: 60_000 }, (error, stdout, stderr) => {
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
