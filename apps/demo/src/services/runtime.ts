// What both demo services share: the agent started by `--import windsock/register`, a pino logger, an HTTP
// server on the port the demo chose, and status samples sent to the demo over IPC.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { pino, type Logger } from 'pino';
import { start, type Agent } from 'windsock';
import { translateListenError } from '../listen.js';
import {
  isDemoMessage,
  type ServiceMessage,
  type ServiceName,
  type ServiceSample,
} from '../messages.js';

/** A request handler: a plain async function or an Express application. */
export type Handler = (request: IncomingMessage, response: ServerResponse) => unknown;

export interface ServiceRuntime {
  readonly agent: Agent | undefined;
  readonly log: Logger;
  /**
   * True for the share of calls (the service's `injectedErrorRate`) it should fail on purpose, while the demo's
   * injected errors are on: DEMO_INJECT_ERRORS at start, then the dashboard's switch over IPC.
   */
  readonly injectError: () => boolean;
}

export interface ServiceOptions {
  /** The share of requests this service fails on purpose when injected errors are on. */
  injectedErrorRate?: number;
}

function send(message: ServiceMessage): void {
  // Outside the demo (run by hand) there is no parent to tell.
  if (process.send !== undefined && process.connected) process.send(message);
}

/** The agent `windsock/register` started from SW_* variables; `start()` hands back that same instance. */
function runningAgent(): { agent?: Agent; agentError?: string } {
  try {
    return { agent: start() };
  } catch (error) {
    return { agentError: error instanceof Error ? error.message : String(error) };
  }
}

export async function runService(
  service: ServiceName,
  makeHandler: (runtime: ServiceRuntime) => Handler,
  options: ServiceOptions = {},
): Promise<void> {
  const { agent, agentError } = runningAgent();
  const log = pino({ name: service });
  const errorRate = options.injectedErrorRate;
  let injecting = process.env.DEMO_INJECT_ERRORS !== '0';
  let injected = 0;
  process.on('message', (message) => {
    if (isDemoMessage(message)) injecting = message.enabled;
  });
  const injectError = () => {
    if (errorRate === undefined || !injecting || Math.random() >= errorRate) return false;
    injected++;
    return true;
  };
  const handle = makeHandler({ agent, log, injectError });
  let handled = 0;
  let failed = 0;

  const server: Server = createServer((request, response) => {
    response.on('finish', () => {
      handled++;
      if (response.statusCode >= 500) failed++;
    });
    Promise.resolve(handle(request, response)).catch((error: unknown) => {
      log.error({ err: error }, 'request failed');
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: 'internal error' }));
    });
  });
  server.keepAliveTimeout = 30_000;

  const host = process.env.DEMO_SERVICE_HOST ?? '127.0.0.1';
  const port = Number(process.env.DEMO_SERVICE_PORT ?? 0);
  const boundPort = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : port);
    });
  }).catch((error: unknown) => {
    const problem = translateListenError(error, {
      what: `the ${service} service`,
      host,
      port,
      hint: `use --${service}-port or DEMO_${service.toUpperCase()}_PORT`,
    });
    send({ type: 'fatal', service, message: problem.message });
    process.exit(1);
  });
  log.info({ port: boundPort }, `${service} listening`);
  send({ type: 'ready', service, port: boundPort });

  const sample = (): ServiceSample => {
    const memory = process.memoryUsage();
    return {
      service,
      pid: process.pid,
      at: Date.now(),
      port: boundPort,
      ...(agent === undefined
        ? { agentError: agentError ?? 'the agent did not start' }
        : { agent: agent.status(), maxBufferBytes: agent.config.maxBufferBytes }),
      heapUsed: memory.heapUsed,
      rss: memory.rss,
      handled,
      failed,
      ...(errorRate === undefined
        ? {}
        : { injectedErrors: { on: injecting, rate: errorRate, count: injected } }),
    };
  };
  const intervalMs = Number(process.env.DEMO_STATUS_INTERVAL ?? 1000);
  setInterval(() => send({ type: 'status', sample: sample() }), intervalMs).unref();
  send({ type: 'status', sample: sample() });

  // The demo owns this process: when it goes away (even killed), so do we.
  process.on('disconnect', () => process.exit(0));
}

export function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}
