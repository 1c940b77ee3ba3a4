import { type Server } from 'node:http';
import { type AddressInfo } from 'node:net';

/** Listens on a free loopback port and resolves to the server's base URL (`http://127.0.0.1:PORT`). */
export function listen(server: Server): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    }),
  );
}

/** Closes the server, keep-alive connections included, so a test file ends without waiting for their timeouts. */
export function close(server: Server | undefined): Promise<void> {
  if (server === undefined) return Promise.resolve();
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** A request through `fetch`, its status and its body read to the end. */
export async function get(url: string, method = 'GET'): Promise<{ status: number; body: string }> {
  const response = await fetch(url, { method });
  return { status: response.status, body: await response.text() };
}
