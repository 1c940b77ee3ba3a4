// node --import tsx bench/fastify.ts: what the fastify instrumentation adds to a request.
// (a) The plugin's work alone: a request through a real Fastify app (a route in a prefixed plugin behind no other
//     hook), handed to its router (`app.routing`) as Node's own request and response objects without a socket,
//     inside an entry span as core's http-server instrumentation opens one; an app created while the plugin is
//     enabled (its onRequest/onError hooks, the handler channel subscribed) against one created without it,
//     alternating, in one run. (`app.inject` is not used: its fake sockets stay reachable after each request here.)
// (b) End to end: N keep-alive requests from a client in another process to the same app on a local port, CPU of
//     the server process per request with no agent, the HTTP-only agent, and the HTTP agent plus the fastify
//     instrumentation, interleaved over several rounds.
import { spawn, spawnSync } from 'node:child_process';
import { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { type AddressInfo, Socket } from 'node:net';
import { type BenchResult, bench, median, medianResult, printTable } from '@windsock/bench-kit';
import { ComponentId, SpanLayer } from '@windsock/protocol';
import type Fastify from 'fastify';
import { type FastifyInstance } from 'fastify';
import { fastifyInstrumentation } from '../src/fastify/index.js';
import { benchTracing } from './harness.js';

// Each request allocates several kB (Node's request and response, Fastify's request and reply): with the default young
// generation nearly every allocation sample of the harness would span a scavenge, so the bench runs itself with a
// larger one.
const SEMI_SPACE = ['--max-semi-space-size=128', '--min-semi-space-size=128'];
if (!process.execArgv.includes(SEMI_SPACE[0]!)) {
  const child = spawnSync(
    process.execPath,
    [...SEMI_SPACE, ...process.execArgv, ...process.argv.slice(1)],
    { stdio: 'inherit' },
  );
  process.exit(child.status ?? 1);
}

const require = createRequire(import.meta.url);
const REQUESTS_PER_ROUND = Number(process.env.BENCH_REQUESTS ?? 4000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const PATH = '/api/tenants/t1/items/7';

const { tracer, context, segmentsReported } = benchTracing();
const fastify = require('fastify') as typeof Fastify;

/** The app; created while the plugin is enabled, it gets the plugin's hooks, as under `windsock/register`. */
async function buildApp(): Promise<FastifyInstance> {
  const app = fastify();
  await app.register(
    (api, _options, done) => {
      api.get('/items/:itemId', (request) => (request.params as { itemId: string }).itemId);
      done();
    },
    { prefix: '/api/tenants/:tenantId' },
  );
  await app.ready();
  return app;
}

// ---- (a) one request without a socket ------------------------------------------------------------------------

function dispatchBench(label: string, app: FastifyInstance): BenchResult {
  const socket = new Socket();
  return bench(
    label,
    () => {
      const request = new IncomingMessage(socket);
      request.method = 'GET';
      request.url = PATH;
      const response = new ServerResponse(request);
      const entry = tracer.startEntrySpan(`GET:${PATH}`, {
        layer: SpanLayer.Http,
        componentId: ComponentId.HttpServer,
      });
      // A synchronous handler behind synchronous hooks: Fastify has written the response when routing returns.
      tracer.withSpan(entry, () => app.routing(request, response));
      entry.end();
      if (!response.writableEnded) throw new Error('the bench expects a synchronous response');
      return response;
    },
    { iterations: 20_000, warmup: 5_000 },
  );
}

// ---- (b) end to end ----------------------------------------------------------------------------------------

// The load client: a separate process, so the CPU measured is the server's alone. Each command names the port.
const CLIENT = `
const http = require('node:http');
const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
let i = 0;
function one(port) {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: '/api/tenants/t' + (i % 50) + '/items/' + (i++), agent }, (res) => {
      res.resume();
      res.on('end', resolve);
    }).on('error', reject);
  });
}
async function run(port, n) {
  let left = n;
  const worker = async () => { while (left-- > 0) await one(port); };
  await Promise.all([worker(), worker(), worker(), worker()]);
  agent.destroy();
}
let buffer = '';
process.stdin.on('data', async (chunk) => {
  buffer += chunk;
  let line;
  while ((line = buffer.indexOf('\\n')) !== -1) {
    const [port, n] = buffer.slice(0, line).split(' ').map(Number);
    buffer = buffer.slice(line + 1);
    await run(port, n);
    process.stdout.write('done\\n');
  }
});
`;

type Mode = 'no agent' | 'HTTP agent' | 'HTTP agent + fastify';

async function listen(app: FastifyInstance): Promise<number> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  return (app.server.address() as AddressInfo).port;
}

async function endToEnd(): Promise<{ mode: Mode; cpuUsPerRequest: number }[]> {
  const plainApp = await buildApp();
  const plainPort = await listen(plainApp);
  const client = spawn(process.execPath, ['-e', CLIENT], { stdio: ['pipe', 'pipe', 'inherit'] });
  let pending: (() => void) | undefined;
  client.stdout.on('data', () => pending?.());
  const load = (port: number, n: number) =>
    new Promise<void>((resolve) => {
      pending = resolve;
      client.stdin.write(`${port} ${n}\n`);
    });

  // The plugin's hooks belong to the enable that added them, so each instrumented round gets a fresh app.
  const measure = async (mode: Mode): Promise<number> => {
    tracer.disable();
    if (mode !== 'no agent') tracer.enableHttpInstrumentation();
    let undo: (() => void) | undefined;
    let app = plainApp;
    let port = plainPort;
    if (mode === 'HTTP agent + fastify') {
      undo = fastifyInstrumentation.enable(context);
      app = await buildApp();
      port = await listen(app);
    }
    await load(port, REQUESTS_PER_ROUND / 4);
    const before = process.cpuUsage();
    await load(port, REQUESTS_PER_ROUND);
    const used = process.cpuUsage(before);
    if (app !== plainApp) await app.close();
    undo?.();
    return (used.user + used.system) / REQUESTS_PER_ROUND;
  };

  const modes: Mode[] = ['no agent', 'HTTP agent', 'HTTP agent + fastify'];
  const samples = new Map<Mode, number[]>(modes.map((m) => [m, []]));
  await measure('HTTP agent + fastify'); // warm-up
  for (let round = 0; round < ROUNDS; round++) {
    for (const mode of round % 2 === 0 ? modes : [...modes].reverse()) {
      samples.get(mode)!.push(await measure(mode));
    }
  }
  client.kill();
  tracer.disable();
  await plainApp.close();
  return modes.map((mode) => ({ mode, cpuUsPerRequest: median(samples.get(mode)!) }));
}

// ---- run ---------------------------------------------------------------------------------------------------

const plainApp = await buildApp();
// Alternating, so neither side gets all of the JIT's warm-up or a noisier stretch of the machine. The handler
// channel's subscription is global, so the plain app runs with the plugin off; the plugin's hooks answer to the
// enable that added them, so each instrumented run gets an app created under its own enable.
const runs: Record<'plain' | 'instrumented', BenchResult[]> = { plain: [], instrumented: [] };
for (let pair = 0; pair < 3; pair++) {
  runs.plain.push(dispatchBench('Fastify: dispatch, not instrumented', plainApp));
  const undo = fastifyInstrumentation.enable(context);
  const instrumentedApp = await buildApp();
  runs.instrumented.push(dispatchBench('Fastify: dispatch, instrumented', instrumentedApp));
  await instrumentedApp.close();
  undo();
}
await plainApp.close();
const plain = medianResult(runs.plain[0]!.name, runs.plain);
const instrumented = medianResult(runs.instrumented[0]!.name, runs.instrumented);
printTable(
  'fastify: one request to a route in a prefixed plugin (no socket), median of 3 alternating runs',
  [plain, instrumented],
);
process.stdout.write(
  `route naming and error hooks: +${(instrumented.nsPerOp - plain.nsPerOp).toFixed(0)} ns and +${Math.round(
    instrumented.bytesPerOp - plain.bytesPerOp,
  )} bytes per request\n\n`,
);

const rows = await endToEnd();
const cpu = (mode: Mode) => rows.find((r) => r.mode === mode)!.cpuUsPerRequest;
const agent = cpu('HTTP agent') - cpu('no agent');
const plugin = cpu('HTTP agent + fastify') - cpu('HTTP agent');
process.stdout.write(
  [
    `### fastify: ${REQUESTS_PER_ROUND} keep-alive requests per round, median of ${ROUNDS} rounds, server CPU`,
    '',
    '| mode | CPU µs/request |',
    '|---|---:|',
    ...rows.map((r) => `| ${r.mode} | ${r.cpuUsPerRequest.toFixed(1)} |`),
    '',
    `HTTP-only agent: +${agent.toFixed(1)} µs/request; fastify instrumentation: +${plugin.toFixed(
      1,
    )} µs/request (${((plugin / agent) * 100).toFixed(1)} % of the HTTP-only agent)`,
    `(${segmentsReported()} segments reported)`,
    '',
  ].join('\n'),
);
