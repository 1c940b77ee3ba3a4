import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { type Collector } from './collector.js';
import { type AgentConfiguration } from './configuration.js';
import { parseFault, parseServiceNames } from './fault.js';

export interface ControlServerOptions {
  /** Default `127.0.0.1`: the control API can switch faults, so it is not exposed unless asked. */
  host?: string;
  /** Default 0 (a free port). */
  port?: number;
}

export interface ControlServer {
  /** `http://host:port` */
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

const MAX_BODY_BYTES = 64 * 1024;
const DEFAULT_LIMIT = 100;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

type Route = (request: IncomingMessage, url: URL, body: unknown) => unknown;

/**
 * A small JSON HTTP API over a collector, for the demo dashboard, the benchmarks and curl: read counts, traces and
 * instances, switch faults. Endpoints are listed in the package README.
 */
export async function startControlServer(
  collector: Collector,
  options: ControlServerOptions = {},
): Promise<ControlServer> {
  const newest = <T>(items: T[], url: URL): T[] => items.slice(-limitOf(url)).reverse();
  const routes: Record<string, Route> = {
    'GET /status': () => collector.status(),
    'GET /counts': () => collector.counts(),
    'GET /traces': (_request, url) => collector.traces(limitOf(url)),
    'GET /segments': (_request, url) => newest(collector.segments(), url),
    'GET /logs': (_request, url) => newest(collector.logs(), url),
    'GET /meters': (_request, url) => newest(collector.meters(), url),
    'GET /events': (_request, url) => newest(collector.events(), url),
    'GET /requests': (_request, url) => newest(collector.requests(), url),
    'GET /instances': () => collector.instances(),
    'GET /faults': () => collector.faults(),
    'POST /faults': async (_request, _url, body) => {
      const fields = (typeof body === 'object' && body !== null ? body : {}) as Record<
        string,
        unknown
      >;
      const { services, ...rest } = fields;
      try {
        const fault = parseFault(rest);
        const targets = parseServiceNames(services);
        await collector.setFault(fault, targets === undefined ? {} : { services: targets });
      } catch (error) {
        if (error instanceof TypeError) throw new HttpError(400, error.message);
        throw error;
      }
      return collector.faults();
    },
    'POST /configuration': (_request, _url, body) => {
      collector.setConfiguration(parseConfiguration(body));
      return { ok: true };
    },
    'POST /clear': () => {
      collector.clear();
      return collector.counts();
    },
  };

  const traceRoute =
    (traceId: string): Route =>
    () => {
      const segments = collector.segments().filter((segment) => segment.traceId === traceId);
      if (segments.length === 0)
        throw new HttpError(404, `no retained segment of trace ${traceId}`);
      return { traceId, segments };
    };
  const findRoute = (method: string, path: string): Route | undefined => {
    const trace = /^\/traces\/([^/]+)$/.exec(path);
    if (trace?.[1] !== undefined)
      return method === 'GET' ? traceRoute(decodeURIComponent(trace[1])) : undefined;
    return routes[`${method} ${path}`];
  };

  const server = createServer((request, response) => {
    handle(request, response, findRoute).catch(() => {
      // handle() answers every error itself; this only guards against a client gone mid-response.
    });
  });
  // Keep-alive sockets of a browser must not keep a stopped control server (and its process) alive.
  server.keepAliveTimeout = 1000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 0 }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = address !== null && typeof address === 'object' ? address.port : 0;
  const host = options.host ?? '127.0.0.1';
  let stopped: Promise<void> | undefined;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return stopped;
    },
  };
}

async function handle(
  request: IncomingMessage,
  response: ServerResponse,
  findRoute: (method: string, path: string) => Route | undefined,
): Promise<void> {
  response.setHeader('access-control-allow-origin', '*');
  if (request.method === 'OPTIONS') {
    response.writeHead(204, {
      'access-control-allow-methods': 'GET, POST, OPTIONS',
      'access-control-allow-headers': 'content-type',
    });
    response.end();
    return;
  }
  try {
    const url = new URL(request.url ?? '/', 'http://control');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const route = findRoute(request.method ?? 'GET', path);
    if (route === undefined) throw new HttpError(404, `no route for ${request.method} ${path}`);
    const body = request.method === 'POST' ? await readJson(request) : undefined;
    send(response, 200, await route(request, url, body));
  } catch (error) {
    const status = error instanceof HttpError ? error.status : 500;
    send(response, status, { error: error instanceof Error ? error.message : String(error) });
  }
}

function send(response: ServerResponse, status: number, payload: unknown): void {
  const text = JSON.stringify(payload);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, `body over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HttpError(400, 'body is not valid JSON');
  }
}

function limitOf(url: URL): number {
  const raw = url.searchParams.get('limit');
  if (raw === null) return DEFAULT_LIMIT;
  const limit = Number(raw);
  if (!Number.isInteger(limit) || limit < 0)
    throw new HttpError(400, 'limit must be a non-negative integer');
  return limit;
}

function parseConfiguration(body: unknown): AgentConfiguration | undefined {
  if (body === undefined || body === null) return undefined;
  const raw = body as Record<string, unknown>;
  if (typeof raw.uuid !== 'string' || raw.uuid === '') {
    throw new HttpError(400, 'configuration.uuid must be a non-empty string');
  }
  const values = raw.values ?? {};
  if (typeof values !== 'object' || values === null || Array.isArray(values)) {
    throw new HttpError(400, 'configuration.values must be an object of strings');
  }
  const entries = Object.entries(values);
  if (!entries.every(([, value]) => typeof value === 'string')) {
    throw new HttpError(400, 'configuration.values must be an object of strings');
  }
  return { uuid: raw.uuid, values: Object.fromEntries(entries) };
}
