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

/** How the tests poll with `vi.waitFor`: what a reconnecting client or a fault phase needs, checked every 25 ms. */
export const POLL = { timeout: 10_000, interval: 25 } as const;
