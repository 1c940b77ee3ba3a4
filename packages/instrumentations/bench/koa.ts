// node --import tsx bench/koa.ts: what the koa instrumentation adds to a request.
// (a) The plugin's work alone: a request through a real Koa app (a prefixed @koa/router router with a nested
//     parameterised route behind one middleware), handed Node's own request and response objects without a socket,
//     inside an entry span as core's http-server instrumentation opens one; patched, then unpatched, in one run.
// (b) End to end: N keep-alive requests from a client in another process to the same app on a local port, CPU of
//     the server process per request with no agent, the HTTP-only agent, and the HTTP agent plus the koa
//     instrumentation, interleaved over several rounds.
import { spawn, spawnSync } from 'node:child_process';
import { createServer, IncomingMessage, type Server, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { type AddressInfo, Socket } from 'node:net';
import type KoaRouter from '@koa/router';
import {
  type BenchResult,
  benchAsync,
  median,
  medianResult,
  printTable,
} from '@windsock/bench-kit';
import { createDiagnosticLogger } from '@windsock/core';
import { ComponentId, SpanLayer } from '@windsock/protocol';
import type Koa from 'koa';
import { patchApplication } from '../src/koa/application.js';
import { HookGuard } from '../src/hooks/hook-guard.js';
import { patchRouter } from '../src/koa/router.js';
import { benchTracing } from './harness.js';

// Each request allocates several kB (Node's response object, Koa's context): with the default young generation
// nearly every allocation sample of the harness would span a scavenge, so the bench runs itself with a larger one.
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

const { tracer, segmentsReported } = benchTracing();
const guard = new HookGuard(
  'koa',
  createDiagnosticLogger({ write: (line) => console.error(line), throttleMs: 0 }),
);

const KoaClass = require('koa') as typeof Koa;
const Router = require('@koa/router') as typeof KoaRouter;

// The plugin's patches, applied to the loaded classes directly (what `hookModules` does when they load), so the
// bench can switch them on and off between rounds.
let undoPatches: (() => void) | undefined;
function instrument(on: boolean): void {
  undoPatches?.();
  undoPatches = undefined;
  if (!on) return;
  const routers = { patched: false };
  const undoRouter = patchRouter(Router, tracer, guard, routers);
  const undoApp = patchApplication(KoaClass, tracer, guard, routers);
  undoPatches = () => {
    undoRouter();
    undoApp();
  };
}

function buildApp(): Koa {
  const app = new KoaClass();
  const items = new Router();
  items.get('/items/:itemId', (ctx) => {
    ctx.body = ctx.params.itemId;
  });
  const api = new Router({ prefix: '/api/tenants/:tenantId' });
  api.use(items.routes());
  app.use(async (_ctx, next) => {
    await next();
  });
  app.use(api.routes());
  return app;
}

// ---- (a) one request without a socket ------------------------------------------------------------------------

// Koa only reads the request's method, url and headers here, so one request object serves every iteration; the
// response is written to, so each iteration gets its own.
const request = new IncomingMessage(new Socket());
request.method = 'GET';
request.url = PATH;

async function dispatchBench(label: string, app: Koa): Promise<BenchResult> {
  const callback = app.callback();
  return benchAsync(
    label,
    async () => {
      const response = new ServerResponse(request);
      const entry = tracer.startEntrySpan(`GET:${PATH}`, {
        layer: SpanLayer.Http,
        componentId: ComponentId.HttpServer,
      });
      await tracer.withSpan(entry, () => callback(request, response));
      entry.end();
      return response;
    },
    { iterations: 20_000, warmup: 5_000 },
  );
}

// ---- (b) end to end ----------------------------------------------------------------------------------------

// The load client: a separate process, so the CPU measured is the server's alone.
const CLIENT = `
const http = require('node:http');
const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
const [port] = process.argv.slice(1);
let i = 0;
function one() {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: '/api/tenants/t' + (i % 50) + '/items/' + (i++), agent }, (res) => {
      res.resume();
      res.on('end', resolve);
    }).on('error', reject);
  });
}
async function run(n) {
  let left = n;
  const worker = async () => { while (left-- > 0) await one(); };
  await Promise.all([worker(), worker(), worker(), worker()]);
}
let buffer = '';
process.stdin.on('data', async (chunk) => {
  buffer += chunk;
  let line;
  while ((line = buffer.indexOf('\\n')) !== -1) {
    const n = Number(buffer.slice(0, line));
    buffer = buffer.slice(line + 1);
    await run(n);
    process.stdout.write('done\\n');
  }
});
`;

type Mode = 'no agent' | 'HTTP agent' | 'HTTP agent + koa';

async function endToEnd(): Promise<{ mode: Mode; cpuUsPerRequest: number }[]> {
  const setMode = (mode: Mode) => {
    tracer.disable();
    if (mode !== 'no agent') tracer.enableHttpInstrumentation();
    instrument(mode === 'HTTP agent + koa');
  };
  setMode('HTTP agent + koa');
  const callback = buildApp().callback();
  const server: Server = createServer((request, response) => {
    void callback(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const client = spawn(process.execPath, ['-e', CLIENT, String(port)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let pending: (() => void) | undefined;
  client.stdout.on('data', () => pending?.());
  const load = (n: number) =>
    new Promise<void>((resolve) => {
      pending = resolve;
      client.stdin.write(`${n}\n`);
    });

  const modes: Mode[] = ['no agent', 'HTTP agent', 'HTTP agent + koa'];
  const samples = new Map<Mode, number[]>(modes.map((m) => [m, []]));
  await load(REQUESTS_PER_ROUND); // warm-up, instrumented
  for (let round = 0; round < ROUNDS; round++) {
    for (const mode of round % 2 === 0 ? modes : [...modes].reverse()) {
      setMode(mode);
      await load(REQUESTS_PER_ROUND / 4);
      const before = process.cpuUsage();
      await load(REQUESTS_PER_ROUND);
      const used = process.cpuUsage(before);
      samples.get(mode)!.push((used.user + used.system) / REQUESTS_PER_ROUND);
    }
  }
  client.kill();
  setMode('no agent');
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  return modes.map((mode) => ({ mode, cpuUsPerRequest: median(samples.get(mode)!) }));
}

// ---- run ---------------------------------------------------------------------------------------------------

const app = buildApp();
// Alternating, so neither side gets all of the JIT's warm-up or a noisier stretch of the machine.
const runs: Record<'plain' | 'instrumented', BenchResult[]> = { plain: [], instrumented: [] };
for (let pair = 0; pair < 3; pair++) {
  instrument(false);
  runs.plain.push(await dispatchBench('Koa + @koa/router: dispatch, not instrumented', app));
  instrument(true);
  runs.instrumented.push(await dispatchBench('Koa + @koa/router: dispatch, instrumented', app));
}
instrument(false);
const plain = medianResult(runs.plain[0]!.name, runs.plain);
const instrumented = medianResult(runs.instrumented[0]!.name, runs.instrumented);
printTable('koa: one request through a prefixed router (no socket), median of 3 alternating runs', [
  plain,
  instrumented,
]);
process.stdout.write(
  `route naming and error hook: +${(instrumented.nsPerOp - plain.nsPerOp).toFixed(0)} ns and +${Math.round(
    instrumented.bytesPerOp - plain.bytesPerOp,
  )} bytes per request\n\n`,
);

const rows = await endToEnd();
const cpu = (mode: Mode) => rows.find((r) => r.mode === mode)!.cpuUsPerRequest;
const agent = cpu('HTTP agent') - cpu('no agent');
const plugin = cpu('HTTP agent + koa') - cpu('HTTP agent');
process.stdout.write(
  [
    `### koa: ${REQUESTS_PER_ROUND} keep-alive requests per round, median of ${ROUNDS} rounds, server CPU`,
    '',
    '| mode | CPU µs/request |',
    '|---|---:|',
    ...rows.map((r) => `| ${r.mode} | ${r.cpuUsPerRequest.toFixed(1)} |`),
    '',
    `HTTP-only agent: +${agent.toFixed(1)} µs/request; koa instrumentation: +${plugin.toFixed(
      1,
    )} µs/request (${((plugin / agent) * 100).toFixed(1)} % of the HTTP-only agent)`,
    `(${segmentsReported()} segments reported)`,
    '',
  ].join('\n'),
);
