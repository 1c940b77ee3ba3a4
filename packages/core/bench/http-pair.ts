// pnpm bench:http-pair: process CPU per HTTP request pair (one client request, one server request, one process)
// for each step between no agent and a fully traced request, each in a fresh process, interleaved round-robin, so
// the differences are same-run figures. `--before=DIR` adds the sample-0 and traced steps of another build of core
// and protocol (DIR/node_modules/@windsock/{core,protocol}), to compare a change against its parent in one run.
// `--measure=bytes`: heap bytes allocated per pair instead, over a fixed number of pairs with a young generation
// large enough that no garbage collection runs meanwhile. Allocation does not depend on the machine's load, so one
// run gives a figure that repeats to a few bytes: the load-independent half of the differential profile.
// `--steps=A,B,...` picks the steps; two run only when named: traced-keep-frames and traced-keep-copies
// (kept-frames.ts).
import { fork } from 'node:child_process';
import { channel } from 'node:diagnostics_channel';
import { AsyncLocalStorage } from 'node:async_hooks';
import http from 'node:http';
import { type AddressInfo } from 'node:net';
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { getHeapStatistics } from 'node:v8';
import type * as Core from '@windsock/core';
import type * as Protocol from '@windsock/protocol';
import { frameKeeper, KEPT_FRAMES } from './kept-frames.js';

type Step =
  | 'none'
  | 'floor'
  | 'tracer-idle'
  | 'sample-0'
  | 'traced-discard'
  | 'traced-encode'
  | 'traced-keep-frames'
  | 'traced-keep-copies'
  | 'before:sample-0'
  | 'before:traced-encode'
  | 'facade-off'
  | 'facade-sample-0'
  | 'facade-traced'
  | 'before:facade-sample-0'
  | 'before:facade-traced';

/** What each step adds to the previous one. */
const STEPS: Record<Step, string> = {
  none: 'no agent',
  floor: 'AsyncLocalStorage entered per server request + a 185-byte header set per client request',
  'tracer-idle': 'core tracer created, HTTP instrumentation not enabled',
  'sample-0': 'HTTP instrumentation, sample rate 0 (nothing recorded, sw8 propagated)',
  'traced-discard': 'everything traced, the finished segment discarded',
  'traced-encode': 'everything traced, each segment encoded as the facade does, frame discarded',
  'traced-keep-frames': `traced-encode, the last ${KEPT_FRAMES} frames kept as a queue keeps them (views of slabs)`,
  'traced-keep-copies': `traced-encode, the last ${KEPT_FRAMES} frames copied into one buffer used as a ring`,
  'before:sample-0': 'sample-0 with the --before build',
  'before:traced-encode': 'traced-encode with the --before build',
  'facade-off': 'windsock started (backend refused), every instrumentation disabled',
  'facade-sample-0': 'windsock started (backend refused), sample rate 0',
  'facade-traced': 'windsock started (backend refused), everything traced',
  'before:facade-sample-0': 'facade-sample-0 with the --before build',
  'before:facade-traced': 'facade-traced with the --before build',
};

const ALL_PLUGINS = ['http', 'fetch', 'pino', 'winston', 'console'];

interface ChildResult {
  requests: number;
  seconds: number;
  cpuMicros: number;
  /** `--measure=bytes`: heap bytes allocated over the measured pairs, and the collections that ran (must be 0). */
  allocated?: number;
  collections?: number;
}

/** Pairs before and during the allocation window; 2 000 pairs stay far below the enlarged young generation. */
const BYTES_WARMUP_PAIRS = 3_000;
const BYTES_PAIRS = 2_000;
const BYTES_NODE_FLAGS = ['--max-semi-space-size=1024', '--min-semi-space-size=1024'];

const FLOOR_HEADER = 'x'.repeat(185);

async function startAgent(step: Step): Promise<void> {
  if (step === 'none') return;
  if (step === 'floor') {
    const storage = new AsyncLocalStorage<object>();
    channel('http.server.request.start').subscribe(() => storage.enterWith({}));
    return;
  }
  const before = step.startsWith('before:');
  if (step.includes('facade')) {
    // The facade is not a dependency of core: --facade=DIR and --before=DIR name trees holding node_modules/windsock.
    const tree = before ? process.env.BENCH_BEFORE : process.env.BENCH_FACADE;
    const windsock = (await import(
      pathToFileURL(`${tree}/node_modules/windsock/dist/index.js`).href
    )) as { start(options: Record<string, unknown>): unknown };
    windsock.start({
      serviceName: 'bench-service',
      collector: '127.0.0.1:1',
      sampleRate: step.endsWith('sample-0') ? 0 : 1,
      ...(step === 'facade-off' ? { disablePlugins: ALL_PLUGINS } : {}),
    });
    return;
  }
  const root = before ? pathToFileURL(`${process.env.BENCH_BEFORE}/node_modules/`).href : '';
  const core = (await import(
    before ? `${root}@windsock/core/dist/index.js` : '@windsock/core'
  )) as typeof Core;
  const protocol = (await import(
    before ? `${root}@windsock/protocol/dist/index.js` : '@windsock/protocol'
  )) as typeof Protocol;
  let frames = 0;
  const encode = step.endsWith('traced-encode') || step.startsWith('traced-keep');
  const keep = frameKeeper(step);
  // As the facade encodes: through an encoder's slabs (builds before FrameEncoder kept them in the module).
  const encodeSegment =
    'FrameEncoder' in protocol
      ? new protocol.FrameEncoder().segment
      : (protocol as typeof Protocol).encodeSegmentObject;
  const tracer = core.createTracer({
    serviceName: 'bench-service',
    serviceInstance: 'bench-instance-1',
    sampleRate: step.endsWith('sample-0') ? 0 : 1,
    sink: {
      segment: (segment) => {
        if (!encode) {
          frames += 1;
          return;
        }
        const frame = encodeSegment(segment);
        frames += frame.length;
        keep?.(frame);
      },
      log: () => {},
      meters: () => {},
    },
  });
  if (step !== 'tracer-idle') tracer.enableHttpInstrumentation();
  process.once('beforeExit', () => void frames);
}

async function child(
  step: Step,
  warmupMs: number,
  durationMs: number,
  profilePath: string | undefined,
  measure: 'cpu' | 'bytes',
): Promise<ChildResult> {
  await startAgent(step);
  const server = http.createServer((request, response) => {
    request.resume();
    response.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  const headers = step === 'floor' ? { 'x-floor': FLOOR_HEADER } : undefined;

  let stopAt = 0;
  let answered = 0;
  let budget = Infinity;
  const worker = () =>
    new Promise<void>((resolve, reject) => {
      const next = () => {
        if (performance.now() >= stopAt || budget-- <= 0) return resolve();
        const request = http.get(
          { port, host: '127.0.0.1', path: '/orders/42', agent, headers },
          (res) => {
            res.resume();
            res.on('end', () => {
              answered += 1;
              next();
            });
          },
        );
        request.on('error', reject);
      };
      next();
    });
  const load = async (ms: number) => {
    stopAt = performance.now() + ms;
    await Promise.all(Array.from({ length: 16 }, worker));
  };

  if (measure === 'bytes') {
    budget = BYTES_WARMUP_PAIRS;
    await load(Infinity);
    let collections = 0;
    const observer = new PerformanceObserver((list) => (collections += list.getEntries().length));
    observer.observe({ entryTypes: ['gc'] });
    const before = getHeapStatistics().used_heap_size;
    budget = BYTES_PAIRS;
    await load(Infinity);
    const allocated = getHeapStatistics().used_heap_size - before;
    await new Promise((resolve) => setImmediate(resolve)); // let the observer hear of a collection
    observer.disconnect();
    agent.destroy();
    server.close();
    return { requests: BYTES_PAIRS, seconds: 0, cpuMicros: 0, allocated, collections };
  }
  await load(warmupMs);
  answered = 0;
  const profiler = profilePath === undefined ? undefined : await startProfiler();
  const cpu = process.cpuUsage();
  const start = performance.now();
  await load(durationMs);
  const used = process.cpuUsage(cpu);
  if (profiler !== undefined) {
    const { profile } = await profiler.post('Profiler.stop');
    await writeFile(profilePath!, JSON.stringify({ ...profile, requests: answered }));
  }
  const seconds = (performance.now() - start) / 1000;
  agent.destroy();
  server.close();
  return { requests: answered, seconds, cpuMicros: used.user + used.system };
}

async function startProfiler(): Promise<Session> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  await session.post('Profiler.start');
  return session;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

async function parent(): Promise<void> {
  const args = new Map(
    process.argv.slice(2).map((arg) => {
      const [key, value] = arg.replace(/^--/, '').split('=');
      return [key!, value ?? ''];
    }),
  );
  const runs = Number(args.get('runs') ?? 5);
  const warmupMs = Number(args.get('warmup-ms') ?? 1000);
  const durationMs = Number(args.get('duration-ms') ?? 3000);
  const nodeBinary = args.get('node') ?? process.execPath;
  const before = args.get('before');
  const facade = args.get('facade');
  const profileDir = args.get('cpu-prof-dir');
  const measure = args.get('measure') === 'bytes' ? 'bytes' : 'cpu';
  const steps = (
    args.get('steps')?.split(',') ?? [
      'none',
      'floor',
      'tracer-idle',
      'sample-0',
      'traced-discard',
      'traced-encode',
      ...(before === undefined ? [] : ['before:sample-0', 'before:traced-encode']),
      ...(facade === undefined ? [] : ['facade-off', 'facade-sample-0', 'facade-traced']),
      ...(facade === undefined || before === undefined
        ? []
        : ['before:facade-sample-0', 'before:facade-traced']),
    ]
  ).filter((step): step is Step => step in STEPS && step !== 'none');
  // Every figure is a difference from no agent in the same run.
  steps.unshift('none');

  const results = new Map<Step, ChildResult[]>(steps.map((step) => [step, []]));
  const loadBefore = (await import('node:os')).loadavg();
  for (let run = 0; run < runs; run++) {
    for (const step of steps) {
      const result = await new Promise<ChildResult>((resolve, reject) => {
        const process_ = fork(fileURLToPath(import.meta.url), [], {
          execPath: nodeBinary,
          execArgv: [...(measure === 'bytes' ? BYTES_NODE_FLAGS : []), '--import', 'tsx'],
          env: {
            ...process.env,
            BENCH_CHILD: JSON.stringify({
              step,
              warmupMs,
              durationMs,
              measure,
              // --cpu-prof-dir=DIR: a V8 CPU profile of each child's load window, for relative function costs.
              profilePath:
                profileDir === undefined ? undefined : `${profileDir}/${step}-${run}.cpuprofile`,
            }),
            ...(before === undefined ? {} : { BENCH_BEFORE: before }),
            ...(facade === undefined ? {} : { BENCH_FACADE: facade }),
          },
        });
        process_.once('message', (message) => resolve(message as ChildResult));
        process_.once('exit', (code) => {
          if (code !== 0) reject(new Error(`${step} exited with ${code}`));
        });
      });
      if (result.collections !== undefined && result.collections > 0)
        throw new Error(`${step}: a garbage collection ran in the allocation window`);
      results.get(step)!.push(result);
      process.stderr.write(
        measure === 'bytes'
          ? `run ${run + 1} ${step}: ${bytesPerPair(result).toFixed(0)} B/pair\n`
          : `run ${run + 1} ${step}: ${(result.cpuMicros / result.requests).toFixed(1)} µs/pair\n`,
      );
    }
  }
  const loadAfter = (await import('node:os')).loadavg();
  if (measure === 'bytes') {
    printBytes(steps, results);
    return;
  }

  const noneRate = median(results.get('none')!.map((r) => r.requests / r.seconds));
  const version = (await import('node:child_process'))
    .execFileSync(nodeBinary, ['--version'])
    .toString()
    .trim();
  console.log(
    `Node ${version}, ${runs} runs × ${durationMs} ms (+${warmupMs} ms warm-up) per step, concurrency 16, ` +
      `load average ${loadBefore[0]!.toFixed(1)} before, ${loadAfter[0]!.toFixed(1)} after\n`,
  );
  console.log(
    '| step | what | CPU µs per pair (median, min–max) | added vs none (median of same-round differences) | req/s vs none |',
  );
  console.log('| --- | --- | ---: | ---: | ---: |');
  const nonePerPair = results.get('none')!.map((r) => r.cpuMicros / r.requests);
  for (const step of steps) {
    const perPair = results.get(step)!.map((r) => r.cpuMicros / r.requests);
    const rate = median(results.get(step)!.map((r) => r.requests / r.seconds));
    // Each round ran every step once, close together: its difference from no agent is less exposed to the
    // machine's load drifting over the whole run than the difference of the medians.
    const added = median(perPair.map((value, round) => value - nonePerPair[round]!));
    console.log(
      `| ${step} | ${STEPS[step]} | ${median(perPair).toFixed(1)} (${Math.min(...perPair).toFixed(1)}–${Math.max(
        ...perPair,
      ).toFixed(
        1,
      )}) | ${step === 'none' ? '–' : `${added >= 0 ? '+' : ''}${added.toFixed(1)}`} | ${(
        rate / noneRate
      ).toFixed(2)} |`,
    );
  }
}

function bytesPerPair(result: ChildResult): number {
  return (result.allocated ?? 0) / result.requests;
}

function printBytes(steps: readonly Step[], results: Map<Step, ChildResult[]>): void {
  console.log(
    `Heap bytes allocated per pair over ${BYTES_PAIRS} pairs ` +
      `(after ${BYTES_WARMUP_PAIRS}), no collection in the window; median over runs\n`,
  );
  console.log('| step | what | bytes per pair | added vs none |');
  console.log('| --- | --- | ---: | ---: |');
  const none = median(results.get('none')!.map(bytesPerPair));
  for (const step of steps) {
    const bytes = median(results.get(step)!.map(bytesPerPair));
    const added = step === 'none' ? '–' : `${bytes >= none ? '+' : ''}${(bytes - none).toFixed(0)}`;
    console.log(`| ${step} | ${STEPS[step]} | ${bytes.toFixed(0)} | ${added} |`);
  }
}

const task = process.env.BENCH_CHILD;
if (task === undefined) {
  await parent();
} else {
  const { step, warmupMs, durationMs, profilePath, measure } = JSON.parse(task) as {
    step: Step;
    warmupMs: number;
    durationMs: number;
    profilePath?: string;
    measure: 'cpu' | 'bytes';
  };
  const result = await child(step, warmupMs, durationMs, profilePath, measure);
  process.send?.(result);
  process.disconnect?.();
}
