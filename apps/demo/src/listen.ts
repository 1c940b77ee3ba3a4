// Every server the demo opens goes through here, so a taken port becomes one readable line instead of a stack trace.
import { createServer, type Server } from 'node:net';

/** A problem the user can fix (a port in use, a bad flag): printed as one line, exit code 1. */
export class DemoError extends Error {
  override name = 'DemoError';
}

export function portInUse(what: string, host: string, port: number, hint: string): DemoError {
  return new DemoError(
    `${what} cannot listen on ${host}:${port}: the port is already in use (${hint})`,
  );
}

/** Listens, resolving with the bound port; EADDRINUSE/EACCES become a DemoError naming the setting to change. */
export function listen(
  server: Server,
  { what, host, port, hint }: { what: string; host: string; port: number; hint: string },
): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      reject(translateListenError(error, { what, host, port, hint }));
    };
    const onListening = () => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

/**
 * A port free on `host` right now, for a server whose address another process needs before it listens. Another
 * process could take it in the moment between; the server's own listen error would then name the setting.
 */
export async function freePort(host: string, hint: string): Promise<number> {
  const probe = createServer();
  const port = await listen(probe, { what: 'a free port probe', host, port: 0, hint });
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

export function translateListenError(
  error: unknown,
  { what, host, port, hint }: { what: string; host: string; port: number; hint: string },
): Error {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'EADDRINUSE' || /EADDRINUSE|address already in use/i.test(message))
    return portInUse(what, host, port, hint);
  if (code === 'EACCES')
    return new DemoError(`${what} may not listen on ${host}:${port} (${hint})`);
  if (code === 'EADDRNOTAVAIL')
    return new DemoError(`${what} cannot listen on ${host}: no such local address`);
  return error instanceof Error ? error : new Error(message);
}
