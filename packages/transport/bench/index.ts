// pnpm bench: segments delivered to a collector (another process) over loopback, one call in flight as the drain
// loop does, for batch sizes 1, 64 and 512, as a `collect` stream versus one `collectInSync` call. Per frame:
// wall ns, CPU µs of this process (the agent's side only), heap growth; and frames/s and MB/s.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { printTable, type BenchResult } from '@windsock/bench-kit';
import { segmentFrame } from '../test/fixtures.js';
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
  const calls = FRAMES_PER_ROUND[batch]! / batch;
  const send = async (): Promise<void> => {
    const result = await transport.sendSegments(batchFrames);
    if (!result.ok) throw new Error(`bench send failed: ${result.message}`);
  };
  for (let i = 0; i < Math.max(20, calls / 4); i++) await send(); // warm-up: JIT, connection
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
  transport.close();
  const nsPerOp = median(wall);
  const opsPerSec = 1e9 / nsPerOp;
  return {
    name: `${mode === 'unary' ? 'collectInSync' : 'collect stream'}, batch ${batch}`,
    nsPerOp,
    opsPerSec,
    bytesPerOp: Math.max(0, median(heap)),
    mbPerSec: (opsPerSec * frameBytes) / 1e6,
    cpuUsPerFrame: median(cpu),
  };
}

const rows: Row[] = [];
for (const batch of [1, 64, 512]) {
  for (const mode of ['stream', 'unary'] as const) rows.push(await measure(mode, batch));
}
child.stdin.end();

printTable(
  `sendSegments over loopback, per frame (${frameBytes} B segments, one call in flight)`,
  rows,
);
process.stdout.write(
  [
    '| benchmark | frames/s | MB/s | CPU µs/frame |',
    '|---|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${r.name} | ${Math.round(r.opsPerSec).toLocaleString('en-US')} | ${r.mbPerSec.toFixed(1)} | ${r.cpuUsPerFrame.toFixed(2)} |`,
    ),
    '',
  ].join('\n') + '\n',
);
await once(child, 'exit');
