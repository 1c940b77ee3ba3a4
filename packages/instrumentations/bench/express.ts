// node --import tsx bench/express.ts: what the express instrumentation adds to a request, for both Express majors.
// CPU time (`process.cpuUsage`) rather than wall time, so a busy machine weighs less on the figures. (tsx compiles
// with esbuild's `keepNames`; its helper runs where the hooks are installed, not on a request's path.)
// (a) Dispatch without a socket: a traced request through a middleware and a router mounted with a nested
//     parameterised router, on a copy of Express loaded before the instrumentation was enabled (left alone) and on
//     a copy loaded after it (patched), in one process, alternating short chunks; ns of CPU per request, and bytes
//     per request from bench-kit.
// (b) End to end: keep-alive requests from this process to a server process of the same app, in turn with no agent,
//     with the HTTP-only agent (core's channels) and with the HTTP agent and the express instrumentation at work;
//     the modes are switched inside the one server, each round warmed up after the switch (the instrumentation's
//     hooks stay installed and only stop working: idle hooks measured as no hooks in separate server processes,
//     which differ among themselves by more than the instrumentation costs, so they cannot measure it); the
//     server's CPU per request, medians over rounds, and the instrumentation's share of the HTTP-only agent's own
//     cost.
import { type ChildProcess, spawn } from 'node:child_process';
import { Agent, createServer, get } from 'node:http';
import { createRequire } from 'node:module';
import { type AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { type BenchResult, bench, median, printTable } from '@windsock/bench-kit';
import type Express from 'express';
import { HookGuard } from '../src/hooks/hook-guard.js';
import { enableExpress } from '../src/express/index.js';
import { benchTracing } from './harness.js';

const require = createRequire(import.meta.url);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 4000);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 2000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 25);
const CHUNKS = Number(process.env.BENCH_CHUNKS ?? 41);
const CHUNK = 2000;
// BENCH_CONTROL=1: the instrumentation stays idle in the third mode too, which shows the noise floor of (b).
const CONTROL = process.env.BENCH_CONTROL === '1';
const MODES = ['no agent', 'HTTP agent', 'HTTP agent + express'] as const;
type Mode = (typeof MODES)[number];

const { tracer, context } = benchTracing();

function buildApp(express: typeof Express): Express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  const api = express.Router();
  const items = express.Router({ mergeParams: true });
  items.get('/items/:itemId', (req, res) => {
    res.end(req.params.itemId);
  });
  api.use('/tenants/:tenantId', items);
  app.use((_req, _res, next) => {
    next();
  });
  app.use('/api', api);
  return app;
}

function cpuMicros(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}

// ---- (a) dispatch without a socket --------------------------------------------------------------------------

interface Dispatchable {
  handle(req: unknown, res: unknown, done: unknown): void;
}

function dispatchTable(major: number, pkg: string): void {
  const plain = buildApp(require(pkg) as typeof Express);
  // Forgetting the loaded files makes the next require load a second copy; the first stays in use by `plain`.
  for (const file of Object.keys(require.cache)) {
    if (/[\\/]node_modules[\\/](express|router)[\\/]/.test(file)) delete require.cache[file];
  }
  const undo = enableExpress(context);
  const instrumented = buildApp(require(pkg) as typeof Express);
  const res = { setHeader() {}, getHeader: () => undefined, end() {} };
  const done = () => {
    throw new Error('no route matched in the bench');
  };
  // A plain object stands in for the IncomingMessage: the router reads `method` and `url`, the app sets the rest.
  const dispatcher = (app: Express.Express) => () =>
    (app as unknown as Dispatchable).handle(
      { method: 'GET', url: '/api/tenants/t1/items/7', headers: {} },
      res,
      done,
    );
  const apps = [
    { name: `Express ${major}: dispatch, not instrumented`, run: dispatcher(plain) },
    { name: `Express ${major}: dispatch, instrumented`, run: dispatcher(instrumented) },
  ];
  const entry = tracer.startEntrySpan('GET:/api/tenants/t1/items/7');
  const rows = tracer.withSpan(entry, () => {
    const cpu = apps.map(() => [] as number[]);
    for (let chunk = -3; chunk < CHUNKS; chunk++) {
      apps.forEach(({ run }, i) => {
        const before = cpuMicros();
        for (let n = 0; n < CHUNK; n++) run();
        if (chunk >= 0) cpu[i]!.push(((cpuMicros() - before) * 1000) / CHUNK);
      });
    }
    return apps.map(({ name, run }, i): BenchResult => {
      const { bytesPerOp } = bench(name, run, { iterations: 1000, rounds: 1, warmup: 1000 });
      const nsPerOp = median(cpu[i]!);
      return { name, nsPerOp, opsPerSec: 1e9 / nsPerOp, bytesPerOp };
    });
  });
  entry.end();
  undo();
  printTable(`express ${major}: one traced request through the routers, no socket (CPU ns)`, rows);
  process.stdout.write(
    `route naming: ${(rows[1]!.nsPerOp - rows[0]!.nsPerOp).toFixed(0)} ns and ${Math.round(
      rows[1]!.bytesPerOp - rows[0]!.bytesPerOp,
    )} bytes per request\n\n`,
  );
}

// ---- (b) end to end: the server process --------------------------------------------------------------------

/** Serves the app; a line on stdin switches the mode (or only asks) and is answered with the CPU time so far. */
function serve(pkg: string): void {
  const guard = new HookGuard('express', context.diagnostics);
  // Enabled before Express loads, as under `-r windsock/register`.
  enableExpress(context, undefined, guard);
  const server = createServer(buildApp(require(pkg) as typeof Express));
  server.listen(0, '127.0.0.1', () => {
    process.stdout.write(`${(server.address() as AddressInfo).port}\n`);
  });
  createInterface({ input: process.stdin }).on('line', (line) => {
    const mode = MODES.find((m) => m === line);
    if (mode !== undefined) {
      tracer.disable();
      if (mode !== 'no agent') tracer.enableHttpInstrumentation();
      guard.on = mode === 'HTTP agent + express' && !CONTROL;
    }
    process.stdout.write(`${cpuMicros()}\n`);
  });
  process.stdin.on('end', () => process.exit(0));
}

// ---- (b) end to end: the client ----------------------------------------------------------------------------

async function load(port: number, requests: number, agent: Agent): Promise<void> {
  let left = requests;
  let i = 0;
  const one = () =>
    new Promise<void>((resolve, reject) => {
      get(
        { host: '127.0.0.1', port, path: `/api/tenants/t${i % 50}/items/${i++}`, agent },
        (res) => {
          res.resume();
          res.on('end', resolve);
        },
      ).on('error', reject);
    });
  const worker = async () => {
    while (left-- > 0) await one();
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
}

async function endToEnd(major: number, pkg: string): Promise<void> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(import.meta.url)],
    {
      env: { ...process.env, EXPRESS_BENCH_SERVER: pkg },
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  const waiting: ((line: string) => void)[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => waiting.shift()?.(line));
  const next = () => new Promise<string>((resolve) => waiting.push(resolve));
  const command = async (line: string) => {
    const answer = next();
    child.stdin!.write(`${line}\n`);
    return Number(await answer);
  };
  const port = Number(await next());
  const agent = new Agent({ keepAlive: true, maxSockets: 4 });
  const samples = new Map<Mode, number[]>(MODES.map((m) => [m, []]));
  try {
    for (let round = -1; round < ROUNDS; round++) {
      for (const mode of round % 2 === 0 ? MODES : [...MODES].reverse()) {
        await command(mode);
        await load(port, WARMUP, agent);
        const before = await command('cpu');
        await load(port, REQUESTS, agent);
        const after = await command('cpu');
        if (round >= 0) samples.get(mode)!.push((after - before) / REQUESTS);
      }
    }
  } finally {
    agent.destroy();
    child.stdin!.end();
  }
  const cpu = (mode: Mode) => median(samples.get(mode)!);
  // Differences within a round (its modes ran next to each other), then their median: slow drifts of the machine
  // cancel out.
  const paired = (from: Mode, to: Mode) =>
    median(samples.get(to)!.map((value, round) => value - samples.get(from)![round]!));
  const agentCost = paired('no agent', 'HTTP agent');
  const pluginCost = paired('HTTP agent', 'HTTP agent + express');
  process.stdout.write(
    [
      `### express ${major}: ${REQUESTS} keep-alive requests per round and mode, medians of ${ROUNDS} rounds, server CPU`,
      '',
      '| server | CPU µs/request |',
      '|---|---:|',
      ...MODES.map((mode) => `| ${mode} | ${cpu(mode).toFixed(1)} |`),
      '',
      `paired per round: HTTP-only agent +${agentCost.toFixed(1)} µs/request; express instrumentation ${pluginCost.toFixed(
        1,
      )} µs/request (${((pluginCost / agentCost) * 100).toFixed(1)} % of the HTTP-only agent)`,
      '',
      '',
    ].join('\n'),
  );
}

// ---- run ---------------------------------------------------------------------------------------------------

const serverPackage = process.env.EXPRESS_BENCH_SERVER;
if (serverPackage !== undefined) {
  serve(serverPackage);
} else {
  const majors = (process.env.BENCH_MAJORS ?? '4,5').split(',');
  for (const [major, pkg] of [
    [4, 'express4'],
    [5, 'express'],
  ] as const) {
    if (!majors.includes(String(major))) continue;
    dispatchTable(major, pkg);
    await endToEnd(major, pkg);
  }
}
