// pnpm bench:http-builds DIR [DIR ...]: builds of core compared in one process, on apps/bench's workload (a load
// loop at concurrency 16 calling /a, whose handler calls /b on the same keep-alive server: three segments and two
// sw8 per request). Each DIR is a built checkout (DIR/packages/{core,protocol}/dist: a `git worktree` of another
// commit, or `.` for this one) or a tree of installed packages (DIR/node_modules/@windsock/{core,protocol}/dist).
// Every round runs no agent and each build's tracer in a fresh random order, so no build keeps one predecessor; the
// figure per build is the mean ± standard error of its same-round difference from the first build, in process CPU
// µs per request. Steps that cost little in a loop can cost several times that in place, and fresh processes per
// step (bench:http-pair) leave differences of a few µs in the noise: this is the finer tool.
// BENCH_SAMPLE (default 1) is the sample rate; BENCH_ROUNDS (100) and BENCH_BLOCK (2,000 requests) the run's size.
import { existsSync } from 'node:fs';
import http from 'node:http';
import { type AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { median } from '@windsock/bench-kit';
import type * as Core from '@windsock/core';
import type * as Protocol from '@windsock/protocol';

interface Agent {
  name: string;
  tracer: Core.Tracer | undefined;
}

const checkout = fileURLToPath(new URL('../../..', import.meta.url));
const dirs = process.argv.slice(2);
if (dirs.length === 0) {
  console.error(
    'usage: pnpm bench:http-builds DIR [DIR ...]  (a built checkout, or . for this one)',
  );
  process.exit(2);
}
const sampleRate = Number(process.env.BENCH_SAMPLE ?? 1);
const rounds = Number(process.env.BENCH_ROUNDS ?? 100);
const block = Number(process.env.BENCH_BLOCK ?? 2000);

async function load<T>(dir: string, name: string): Promise<T> {
  const base = dir === '.' ? checkout : dir;
  const built = resolve(base, 'packages', name);
  const root = existsSync(`${built}/dist`) ? built : resolve(base, 'node_modules/@windsock', name);
  return (await import(pathToFileURL(`${root}/dist/index.js`).href)) as T;
}

const agents: Agent[] = [{ name: 'none', tracer: undefined }];
for (const dir of dirs) {
  const core = await load<typeof Core>(dir, 'core');
  const protocol = await load<typeof Protocol>(dir, 'protocol');
  // Frames are kept in a ring, as a queue keeps them, so encoding cannot be optimised away.
  const encoder = new protocol.FrameEncoder();
  const frames: unknown[] = new Array<unknown>(8192);
  let next = 0;
  const tracer = core.createTracer({
    serviceName: 'bench-service',
    serviceInstance: 'bench-instance-1',
    sampleRate,
    sink: {
      segment: (segment) => {
        frames[next] = encoder.segment(segment);
        next = (next + 1) & 8191;
      },
      log: () => {},
      meters: () => {},
    },
  });
  agents.push({ name: dir, tracer });
}

const concurrency = 16;
const upstream = new http.Agent({ keepAlive: true, maxSockets: concurrency });
const client = new http.Agent({ keepAlive: true, maxSockets: concurrency });
let port = 0;
const server = http.createServer((request, response) => {
  if (request.url === '/b') return void response.end('b');
  http.get({ host: '127.0.0.1', port, path: '/b', agent: upstream }, (answer) => {
    answer.resume();
    answer.on('end', () => response.end('a'));
  });
});
server.keepAliveTimeout = 60_000;
await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
port = (server.address() as AddressInfo).port;

function requests(count: number): Promise<unknown> {
  let left = count;
  const worker = () =>
    new Promise<void>((done, fail) => {
      const next = () => {
        if (left <= 0) return done();
        left -= 1;
        http
          .get({ host: '127.0.0.1', port, path: '/a', agent: client }, (response) => {
            response.resume();
            response.on('end', next);
          })
          .on('error', fail);
      };
      next();
    });
  return Promise.all(Array.from({ length: concurrency }, worker));
}

// A fixed seed: the same orders in every run of the same size.
let seed = 12345;
function shuffled(count: number): number[] {
  const order = Array.from({ length: count }, (_, i) => i);
  for (let i = count - 1; i > 0; i--) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    const j = seed % (i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

const perRound = agents.map(() => [] as number[]);
const loads: number[] = [];
for (let round = 0; round < rounds + 2; round++) {
  loads.push(loadavg()[0]!);
  for (const index of shuffled(agents.length)) {
    const { tracer } = agents[index]!;
    tracer?.enableHttpInstrumentation();
    await requests(200); // this agent's code settles in before it is measured
    const before = process.cpuUsage();
    await requests(block);
    const cpu = process.cpuUsage(before);
    tracer?.disable();
    // The first two rounds warm everything up.
    if (round >= 2) perRound[index]!.push((cpu.user + cpu.system) / block);
  }
}

function meanAndError(values: number[]): [number, number] {
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  const variance =
    values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (values.length - 1);
  return [mean, Math.sqrt(variance / values.length)];
}
const none = perRound[0]!;
for (let i = 0; i < agents.length; i++) {
  const added = perRound[i]!.map((value, round) => value - none[round]!);
  console.log(
    `${agents[i]!.name}: CPU ${median(perRound[i]!).toFixed(1)} µs per request (median), ` +
      `${median(added).toFixed(2)} over no agent`,
  );
}
for (let i = 2; i < agents.length; i++) {
  const difference = perRound[i]!.map((value, round) => value - perRound[1]![round]!);
  const [mean, error] = meanAndError(difference);
  console.log(
    `${agents[i]!.name} − ${agents[1]!.name}: ${mean.toFixed(2)} ± ${error.toFixed(2)} µs per request ` +
      `(mean ± s.e.; median ${median(difference).toFixed(2)})`,
  );
}
console.log(
  `${process.version}, sample rate ${sampleRate}, ${rounds} rounds × ${block} requests per agent, ` +
    `load average ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)}`,
);
upstream.destroy();
client.destroy();
server.closeAllConnections();
server.close();
