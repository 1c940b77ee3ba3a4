import { connect } from 'node:net';

export type ConnectOutcome = 'refused' | 'connected';

/** Opens and closes a raw TCP connection: tells a refusing port from a listening one. */
export function tryConnect(port: number, host = '127.0.0.1'): Promise<ConnectOutcome> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      // A connection still in the accept backlog when the listener closes is reset rather than refused: either
      // way the port did not serve it.
      if (error.code === 'ECONNREFUSED' || error.code === 'ECONNRESET') resolve('refused');
      else reject(error);
    });
  });
}

/** Polls until `check` resolves truthy; fails the test with `message` after `attempts` tries. */
export async function eventually<T>(
  check: () => Promise<T | undefined | false>,
  message: string,
  attempts = 400,
): Promise<T> {
  for (let i = 0; i < attempts; i += 1) {
    const value = await check();
    if (value) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`never happened: ${message}`);
}
