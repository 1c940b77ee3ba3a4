import type * as Http from 'node:http';
import { type AddressInfo } from 'node:net';

export type HttpModule = typeof Http;

/** The part of Express the workload uses (`--app=express`), loaded by the child after the agent starts. */
export type ExpressModule = () => {
  get(path: string, handler: (request: unknown, response: Http.ServerResponse) => void): void;
} & Http.RequestListener;

/** The same two endpoints as routes of an Express app: what a framework plugin adds is then measured too. */
function expressApp(
  express: ExpressModule,
  callB: (response: Http.ServerResponse) => void,
): Http.RequestListener {
  const app = express();
  app.get('/b', (_request, response) => response.end('b'));
  app.get('/a', (_request, response) => callB(response));
  return app;
}

export interface WorkloadServer {
  port: number;
  close(): Promise<void>;
}

/**
 * The measured app: `/a` calls `/b` on the same server over a keep-alive agent, then answers. One request from the
 * load loop is therefore one traced server request with one traced client call inside it (plus `/b`'s own entry).
 * `http` is passed in because agents that patch modules see only what is loaded after they start.
 */
export async function startWorkloadServer(
  http: HttpModule,
  concurrency: number,
  express?: ExpressModule,
  headers?: Readonly<Record<string, string>>,
): Promise<WorkloadServer> {
  const upstream = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  let port = 0;
  const callB = (response: Http.ServerResponse) => {
    const inner = http.get(
      { host: '127.0.0.1', port, path: '/b', agent: upstream, headers },
      (answer) => {
        answer.resume();
        answer.on('end', () => response.end('a'));
      },
    );
    inner.on('error', () => {
      response.statusCode = 502;
      response.end();
    });
  };
  const server =
    express === undefined
      ? http.createServer((request, response) => {
          if (request.url === '/b') response.end('b');
          else callB(response);
        })
      : http.createServer(expressApp(express, callB));
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        upstream.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface LoadOptions {
  port: number;
  concurrency: number;
  /** The loop stops at this duration... */
  durationMs: number;
  /** ...or at this many requests, whichever comes first. */
  maxRequests: number;
  /** Called on every successful answer, for live progress. */
  onAnswer?: () => void;
  /** Set on every request sent (the floor agent's). */
  headers?: Readonly<Record<string, string>>;
}

export interface LoadResult {
  requests: number;
  errors: number;
  elapsedMs: number;
}

/** Closed-loop load on loopback: `concurrency` workers, each sending `/a` as soon as its previous answer arrives. */
export async function runLoad(http: HttpModule, options: LoadOptions): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.concurrency });
  const started = performance.now();
  const deadline = started + options.durationMs;
  let sent = 0;
  let requests = 0;
  let errors = 0;

  const requestOnce = () =>
    new Promise<void>((resolve) => {
      const request = http.get(
        { host: '127.0.0.1', port: options.port, path: '/a', agent, headers: options.headers },
        (response) => {
          response.resume();
          response.on('end', () => {
            if (response.statusCode === 200) {
              requests += 1;
              options.onAnswer?.();
            } else errors += 1;
            resolve();
          });
        },
      );
      request.on('error', () => {
        errors += 1;
        resolve();
      });
    });

  const worker = async () => {
    while (sent < options.maxRequests && performance.now() < deadline) {
      sent += 1;
      await requestOnce();
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  const elapsedMs = performance.now() - started;
  agent.destroy();
  return { requests, errors, elapsedMs };
}
