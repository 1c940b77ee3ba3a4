// The dashboard's HTTP server: the page and its scripts (served as they are, no build step), a server-sent
// event stream of samples, and small JSON endpoints for the fault, load and injected-error buttons.
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { FAULT_MODES, isFaultMode, type Backend } from './backend.js';
import { MAX_RATE } from './config.js';
import { listen } from './listen.js';
import type { LoadGenerator } from './load.js';
import type { DemoSample, DemoTables, History } from './samples.js';
import type { Services } from './supervisor.js';

const STATIC_FILES: Record<string, string> = {
  '/': 'index.html',
  '/index.html': 'index.html',
  '/dashboard.js': 'dashboard.js',
  '/charts.js': 'charts.js',
  '/style.css': 'style.css',
};

const CONTENT_TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
};

const MAX_BODY_BYTES = 4 * 1024;
const PUBLIC_DIR = new URL('../public/', import.meta.url);

export interface DashboardDeps {
  backend: Backend;
  load: LoadGenerator;
  services: Pick<Services, 'setInjectErrors'>;
  history: History<DemoSample>;
  tables: () => DemoTables;
}

export interface DashboardServer {
  readonly url: string;
  /** Sends one sample (and the latest tables) to every open page. */
  broadcast(sample: DemoSample, tables: DemoTables): void;
  stop(): Promise<void>;
}

export async function startDashboard(
  deps: DashboardDeps,
  { host, port }: { host: string; port: number },
): Promise<DashboardServer> {
  const streams = new Set<ServerResponse>();

  const server: Server = createServer((request, response) => {
    route(request, response).catch((error: unknown) => {
      sendJson(response, 500, { error: error instanceof Error ? error.message : String(error) });
    });
  });

  async function route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://dashboard');
    if (request.method === 'GET' && url.pathname === '/events') {
      openStream(response);
      return;
    }
    if (request.method === 'GET' && url.pathname === '/api/snapshot') {
      sendJson(response, 200, { history: deps.history.toArray(), ...deps.tables() });
      return;
    }
    if (request.method === 'POST' && url.pathname === '/api/fault') {
      const { mode } = (await readJson(request)) as { mode?: unknown };
      if (!deps.backend.embedded) {
        sendJson(response, 409, {
          error:
            'fault modes need the embedded collector; this demo reports to an external backend',
        });
        return;
      }
      if (!isFaultMode(mode)) {
        sendJson(response, 400, { error: `mode must be one of ${FAULT_MODES.join(', ')}` });
        return;
      }
      await deps.backend.setMode(mode);
      sendJson(response, 200, { mode });
      return;
    }
    if (request.method === 'POST' && url.pathname === '/api/load') {
      const { rate } = (await readJson(request)) as { rate?: unknown };
      if (typeof rate !== 'number' || !Number.isFinite(rate) || rate < 0 || rate > MAX_RATE) {
        sendJson(response, 400, { error: `rate must be a number from 0 to ${MAX_RATE}` });
        return;
      }
      deps.load.setRate(rate);
      sendJson(response, 200, { rate });
      return;
    }
    if (request.method === 'POST' && url.pathname === '/api/errors') {
      const { enabled } = (await readJson(request)) as { enabled?: unknown };
      if (typeof enabled !== 'boolean') {
        sendJson(response, 400, { error: 'enabled must be true or false' });
        return;
      }
      deps.services.setInjectErrors(enabled);
      sendJson(response, 200, { enabled });
      return;
    }
    const file = request.method === 'GET' ? STATIC_FILES[url.pathname] : undefined;
    if (file === undefined) {
      sendJson(response, 404, { error: 'not found' });
      return;
    }
    const body = await readFile(new URL(file, PUBLIC_DIR));
    response.writeHead(200, {
      'content-type': CONTENT_TYPES[file.split('.').pop()!] ?? 'application/octet-stream',
      'cache-control': 'no-store',
    });
    response.end(body);
  }

  function openStream(response: ServerResponse): void {
    response.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    // The page starts with the history, so its charts are full at once, then gets one sample per tick.
    response.write(
      `retry: 1000\nevent: history\ndata: ${JSON.stringify(deps.history.toArray())}\n\n`,
    );
    response.write(`event: tables\ndata: ${JSON.stringify(deps.tables())}\n\n`);
    streams.add(response);
    response.on('close', () => streams.delete(response));
  }

  const boundPort = await listen(server, {
    what: 'the dashboard',
    host,
    port,
    hint: 'use --port or DEMO_PORT',
  });

  return {
    url: `http://${host}:${boundPort}`,
    broadcast(sample, tables) {
      if (streams.size === 0) return;
      const frame = `event: sample\ndata: ${JSON.stringify(sample)}\n\nevent: tables\ndata: ${JSON.stringify(tables)}\n\n`;
      for (const stream of streams) stream.write(frame);
    },
    async stop() {
      for (const stream of streams) stream.end();
      streams.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  if (response.headersSent) {
    response.end();
    return;
  }
  response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  response.end(JSON.stringify(body));
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new Error('request body too large');
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return {};
  }
}
