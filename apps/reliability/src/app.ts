// The application under test, run in a child process by a scenario: the agent started through the facade, an HTTP
// server whose `/a` calls a second HTTP service `/b`, pino logs on every request, a meter, and a closed load loop in
// a worker thread (so the load generator is not itself traced and the app's event loop is measured alone). It
// streams `status()` samples to the parent and answers its commands; it never exits on its own initiative, so a
// process that does not end after `shutdown` is a handle the agent left open.
import http from 'node:http';
import { type AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import pino from 'pino';
import { start } from 'windsock';
import type { AppTask, ChildMessage, LoadSummary, ParentCommand } from './protocol.js';
import { LOAD_WORKER_SOURCE } from './load-worker.js';

const task = JSON.parse(process.env.RELIABILITY_APP ?? '') as AppTask;

function send(message: ChildMessage): void {
  process.send?.(message);
}

// Observed, not handled: the process still crashes as it would in production, and the parent sees why.
process.on('uncaughtExceptionMonitor', (error, origin) => {
  send({ type: 'crash', kind: origin, error: String(error?.stack ?? error) });
});

const appLog = pino(
  { level: 'info', base: { app: 'reliability' } },
  pino.destination({ dest: '/dev/null', sync: false }),
);

let diagnosticLines = 0;
const diagnosticSamples: string[] = [];
const agent = start({
  ...task.agent,
  diagnostics: (line) => {
    diagnosticLines += 1;
    if (diagnosticSamples.length < 20) diagnosticSamples.push(line);
    // The stack-overflow scenario: the agent's own diagnostics go through the app's logger, which the agent
    // also reports. Otherwise they go where the default would send them.
    if (task.diagnosticsToPino) appLog.warn({ windsock: true }, line);
    else process.stderr.write(`${line}\n`);
  },
});
const served = agent.meter.counter('reliability_requests_total', { route: '/a' });

const upstream = new http.Agent({ keepAlive: true, maxSockets: task.concurrency });
let port = 0;
const server = http.createServer((request, response) => {
  if (request.url === '/b') {
    response.end('b');
    return;
  }
  for (let i = 0; i < task.logsPerRequest; i += 1) appLog.info({ line: i }, 'serving /a');
  served.inc();
  const inner = http.get({ host: '127.0.0.1', port, path: '/b', agent: upstream }, (answer) => {
    answer.resume();
    answer.on('end', () => response.end('a'));
  });
  inner.on('error', () => {
    response.statusCode = 502;
    response.end();
  });
});
server.keepAliveTimeout = 60_000;
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
port = (server.address() as AddressInfo).port;

const loop = monitorEventLoopDelay({ resolution: 10 });
loop.enable();
const startedAt = performance.now();
let requests = 0;
let loadErrors = 0;
const load = new Worker(LOAD_WORKER_SOURCE, {
  eval: true,
  workerData: { port, concurrency: task.concurrency },
});
load.on('message', (counts: { requests: number; errors: number }) => {
  requests = counts.requests;
  loadErrors = counts.errors;
});
const loadEnded = new Promise<void>((resolve) => load.once('exit', () => resolve()));

const sampler = setInterval(() => {
  const memory = process.memoryUsage();
  send({
    type: 'sample',
    atMs: performance.now() - startedAt,
    requests,
    loadErrors,
    heapUsed: memory.heapUsed,
    rss: memory.rss,
    status: agent.status(),
    diagnosticLines,
  });
}, task.sampleIntervalMs);

function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

let loadSummary: LoadSummary | undefined;
async function stopLoad(): Promise<LoadSummary> {
  if (loadSummary !== undefined) return loadSummary;
  load.postMessage('stop');
  await loadEnded;
  loop.disable();
  loadSummary = {
    requests,
    loadErrors,
    elapsedMs: performance.now() - startedAt,
    loopP99Ms: loop.percentile(99) / 1e6,
    loopMaxMs: loop.max / 1e6,
    maxRss: process.resourceUsage().maxRSS * 1024,
  };
  return loadSummary;
}

async function handle(command: ParentCommand): Promise<void> {
  switch (command.type) {
    case 'measure-heap': {
      collectGarbage();
      const memory = process.memoryUsage();
      send({
        type: 'reply',
        id: command.id,
        value: { heapUsed: memory.heapUsed, rss: memory.rss },
      });
      return;
    }
    case 'stop-load':
      send({ type: 'reply', id: command.id, value: await stopLoad() });
      return;
    case 'flush': {
      const result = await agent.flush({ timeoutMs: command.timeoutMs });
      send({ type: 'reply', id: command.id, value: { ...result, status: agent.status() } });
      return;
    }
    case 'shutdown': {
      await stopLoad();
      const began = performance.now();
      await agent.shutdown({ timeoutMs: command.timeoutMs });
      const tookMs = performance.now() - began;
      clearInterval(sampler);
      upstream.destroy();
      server.closeAllConnections();
      server.close();
      send({
        type: 'reply',
        id: command.id,
        value: {
          tookMs,
          status: agent.status(),
          diagnosticLines,
          diagnosticSamples,
          loggerStats: agent.logger.stats(),
        },
      });
      // Nothing else is open now but the IPC channel: if the process does not end, the agent kept a handle.
      process.disconnect?.();
      return;
    }
  }
}

process.on('message', (command: ParentCommand) => {
  void handle(command);
});
send({ type: 'ready', port });
