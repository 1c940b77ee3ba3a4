import {
  freePort,
  startProcess,
  tempDir,
  waitForPort,
  which,
  type ServerProcess,
} from './process.js';

/** A `redis-server` started for a test on 127.0.0.1, without persistence, in a temporary directory. */
export interface RedisServer {
  readonly host: '127.0.0.1';
  readonly port: number;
  /** `127.0.0.1:<port>`: the peer the instrumentations report. */
  readonly address: string;
  /** `redis://127.0.0.1:<port>`. */
  readonly url: string;
  /** The server's log so far. */
  output(): string;
  /**
   * Stops the server as an operator or a crash would (its clients see their connection close) and keeps the port
   * and directory, so `restart()` can bring it back where the clients reconnect. Idempotent.
   */
  kill(): Promise<void>;
  /** Starts the server again on the same port after `kill()`. */
  restart(): Promise<void>;
  /** Stops the server and removes its directory. Idempotent. */
  stop(): Promise<void>;
}

export interface RedisOptions {
  startTimeoutMs?: number;
}

/**
 * Starts Debian's `redis-server` on a free port of 127.0.0.1, `--dir` a new temporary directory, with RDB snapshots
 * and the append-only file off so nothing is ever written there.
 */
export async function startRedis(options: RedisOptions = {}): Promise<RedisServer> {
  const binary = which('redis-server');
  if (binary === undefined)
    throw new Error('redis-server is not installed (Debian package redis-server)');
  const timeoutMs = options.startTimeoutMs ?? 15_000;
  const port = await freePort();
  const dir = await tempDir('redis');
  // An empty `--save ''` clears every snapshot rule; protected mode stays on (it only allows loopback clients).
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir.path,
    '--save',
    '',
    '--appendonly',
    'no',
    '--daemonize',
    'no',
    '--loglevel',
    'warning',
  ];

  let log = '';
  let current: ServerProcess | undefined;
  const launch = async (): Promise<void> => {
    const started = startProcess(binary, args);
    current = started;
    try {
      await waitForPort(port, timeoutMs, started.child);
    } catch (error) {
      await started.stop(1_000);
      throw new Error(`redis-server did not start: ${String(error)}\n${started.output()}`);
    }
  };
  const kill = async (): Promise<void> => {
    const running = current;
    current = undefined;
    if (running === undefined) return;
    await running.stop(5_000);
    log += running.output();
  };

  try {
    await launch();
  } catch (error) {
    await dir.remove();
    throw error;
  }
  let stopped = false;
  return {
    host: '127.0.0.1',
    port,
    address: `127.0.0.1:${port}`,
    url: `redis://127.0.0.1:${port}`,
    output: () => log + (current?.output() ?? ''),
    kill,
    async restart() {
      await kill();
      await launch();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        await kill();
      } finally {
        await dir.remove();
      }
    },
  };
}
