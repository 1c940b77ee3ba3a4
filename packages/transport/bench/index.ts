// pnpm bench: segments delivered to a collector (another process) over loopback, one call in flight as the drain
// loop does, for batch sizes 1, 64 and 512, as a `collect` stream versus one `collectInSync` call. Per frame:
// wall ns, CPU µs of this process (the agent's side only), heap growth; and frames/s and MB/s.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { printTable, type BenchResult } from '@windsock/bench-kit';
import { logFrame, segmentFrame } from '../test/fixtures.js';
import { createTransport } from '../src/index.js';

const child = spawn(
  process.execPath,
  ['--import', 'tsx', fileURLToPath(new URL('./collector-process.ts', import.meta.url))],
  { stdio: ['pipe', 'pipe', 'inherit'] },
);
const [firstLine] = (await once(child.stdout, 'data')) as [Buffer];
const address = firstLine.toString().trim();

// A segment with four spans: about the size of a small HTTP request's trace segment.
const frames = Array.from({ length: 512 }, (_, i) => segmentFrame(`bench-${i}`, 4));
const frameBytes = frames[0]?.byteLength ?? 0;
const FRAMES_PER_ROUND: Record<number, number> = { 1: 2_000, 64: 32_768, 512: 65_536 };
const ROUNDS = 5;

interface Row extends BenchResult {
  mbPerSec: number;
  cpuUsPerFrame: number;
}

function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
}

async function measure(mode: 'unary' | 'stream', batch: number): Promise<Row> {
  const transport = createTransport({ backends: address, segmentsCall: mode });
  const batchFrames = frames.slice(0, batch);
  const name = `${mode === 'unary' ? 'collectInSync' : 'collect stream (burst)'}, batch ${batch}`;
  return timed(name, batchFrames, FRAMES_PER_ROUND[batch]! / batch, frameBytes, async () => {
    const result = await transport.sendSegments(batchFrames);
    if (!result.ok) throw new Error(`bench send failed: ${result.message}`);
  }).finally(() => transport.close());
}

/**
 * Logs, 500 lines a call, as the facade sends them: the burst path against grpc-js's client stream, with the event
 * loop idle and with it busy for 1 ms per turn (a setImmediate spinner standing in for an application under load).
 */
async function measureLogs(clientStreams: 'burst' | 'grpc-js', busyMs: number): Promise<Row> {
  const transport = createTransport({ backends: address, clientStreams });
  const lines = Array.from({ length: 500 }, (_, i) => logFrame(`GET /orders ${i} served in 3 ms`));
  let spinning = busyMs > 0;
  const spin = (): void => {
    const until = performance.now() + busyMs;
    while (performance.now() < until);
    if (spinning) setImmediate(spin);
  };
  if (spinning) setImmediate(spin);
  const calls = clientStreams === 'grpc-js' && busyMs > 0 ? 2 : 40;
  const name = `logs ${clientStreams}, batch 500, loop ${busyMs > 0 ? `busy ${busyMs} ms/turn` : 'idle'}`;
  try {
    const row = await timed(
      name,
      lines,
      calls,
      lines[0]?.byteLength ?? 0,
      async () => {
        const result = await transport.sendLogs(lines);
        if (!result.ok) throw new Error(`bench send failed: ${result.message}`);
      },
      Math.min(calls, 10),
    );
    // The spinner's own CPU would swamp the transport's: no CPU figure for the busy rows.
    return busyMs > 0 ? { ...row, cpuUsPerFrame: Number.NaN } : row;
  } finally {
    spinning = false;
    transport.close();
  }
}

async function timed(
  name: string,
  batchFrames: readonly Uint8Array[],
  calls: number,
  bytesPerFrame: number,
  send: () => Promise<void>,
  warmupCalls = Math.max(20, calls / 4),
): Promise<Row> {
  const batch = batchFrames.length;
  for (let i = 0; i < warmupCalls; i++) await send(); // warm-up: JIT, connection
  const wall: number[] = [];
  const cpu: number[] = [];
  const heap: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const heapBefore = process.memoryUsage().heapUsed;
    const cpuBefore = process.cpuUsage();
    const start = process.hrtime.bigint();
    for (let i = 0; i < calls; i++) await send();
    const elapsedNs = Number(process.hrtime.bigint() - start);
    const cpuUsed = process.cpuUsage(cpuBefore);
    const totalFrames = calls * batch;
    wall.push(elapsedNs / totalFrames);
    cpu.push((cpuUsed.user + cpuUsed.system) / totalFrames);
    heap.push((process.memoryUsage().heapUsed - heapBefore) / totalFrames);
  }
  const nsPerOp = median(wall);
  const opsPerSec = 1e9 / nsPerOp;
  return {
    name,
    nsPerOp,
    opsPerSec,
    bytesPerOp: Math.max(0, median(heap)),
    mbPerSec: (opsPerSec * bytesPerFrame) / 1e6,
    cpuUsPerFrame: median(cpu),
  };
}

const rows: Row[] = [];
for (const batch of [1, 64, 512]) {
  for (const mode of ['stream', 'unary'] as const) rows.push(await measure(mode, batch));
}
const logRows: Row[] = [];
for (const busyMs of [0, 1]) {
  for (const mode of ['burst', 'grpc-js'] as const) logRows.push(await measureLogs(mode, busyMs));
}
child.stdin.end();

printTable(
  `sendSegments over loopback, per frame (${frameBytes} B segments, one call in flight)`,
  rows,
);
printRates(rows);
printTable('sendLogs over loopback, per line (one call in flight)', logRows);
printRates(logRows);

function printRates(table: Row[]): void {
  process.stdout.write(
    [
      '| benchmark | frames/s | MB/s | CPU µs/frame |',
      '|---|---:|---:|---:|',
      ...table.map(
        (r) =>
          `| ${r.name} | ${Math.round(r.opsPerSec).toLocaleString('en-US')} | ${r.mbPerSec.toFixed(1)} | ${Number.isNaN(r.cpuUsPerFrame) ? '—' : r.cpuUsPerFrame.toFixed(2)} |`,
      ),
      '',
    ].join('\n') + '\n',
  );
}
await once(child, 'exit');
