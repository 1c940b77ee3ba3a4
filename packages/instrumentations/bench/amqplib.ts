// node --import tsx bench/amqplib.ts: what the amqplib instrumentation adds per publish and per delivery, against a
// real RabbitMQ broker started for the run. Two copies of amqplib are loaded in the same process, one before the
// instrumentation is enabled (plain) and one after (instrumented), each with its own connection, and measured in
// alternating trials:
// (a) publish: batches of `sendToQueue` inside a request's entry span (the same span work in both copies), to a queue
//     nobody declared (the broker drops the messages, so nothing piles up), flushed to the socket between batches;
// (b) the consumer's per-delivery work alone: the handler amqplib registered for a `noAck` consumer (the
//     instrumented copy's wrapper, or the application's handler) called with a real message that came from the
//     broker carrying sw8, no socket involved;
// (c) end to end: a round of N messages published and consumed with acks through the broker, wall time and this
//     process's CPU per message.
import {
  type BenchResult,
  bench,
  benchAsync,
  median,
  medianResult,
  printTable,
} from '@windsock/bench-kit';
import { startRabbitMq } from '@windsock/test-servers';
import type * as Amqp from 'amqplib';
import { amqplibInstrumentation } from '../src/amqplib/index.js';
import { benchTracing, requireFresh } from './harness.js';

const TRIALS = Number(process.env.BENCH_TRIALS ?? 5);
const BATCH = 100;
const ROUND_MESSAGES = Number(process.env.BENCH_MESSAGES ?? 2000);

const { tracer, context, segmentsReported } = benchTracing();

interface Copy {
  name: string;
  connection: Amqp.ChannelModel;
  channel: Amqp.Channel;
}

function ratio(label: string, plain: BenchResult, instrumented: BenchResult): string {
  const extra = instrumented.nsPerOp - plain.nsPerOp;
  return `${label}: +${Math.round(extra)} ns/op (x${(instrumented.nsPerOp / plain.nsPerOp).toFixed(2)}), +${Math.round(instrumented.bytesPerOp - plain.bytesPerOp)} bytes/op`;
}

async function publishBench(copy: Copy): Promise<BenchResult> {
  const payload = Buffer.from('{"order":42,"status":"created"}');
  const options = { headers: { 'x-app': 'bench' }, persistent: false };
  const drained = () =>
    new Promise<void>((resolve) => {
      copy.channel.once('drain', resolve);
    });
  return benchAsync(
    `${copy.name}: sendToQueue`,
    async () => {
      const request = tracer.startEntrySpan('POST:/orders');
      let full = false;
      tracer.withSpan(request, () => {
        for (let i = 0; i < BATCH; i++) {
          full = !copy.channel.sendToQueue('windsock-bench-nowhere', payload, options) || full;
        }
      });
      request.end();
      if (full) await drained();
      else await new Promise((resolve) => setImmediate(resolve));
    },
    { iterations: 200, rounds: 5, warmup: 100, opsPerCall: BATCH },
  );
}

/** A message as the broker delivered it, carrying the instrumented producer's headers. */
async function receiveOne(copy: Copy, queue: string): Promise<Amqp.ConsumeMessage> {
  await copy.channel.assertQueue(queue, { autoDelete: true });
  const job = tracer.startEntrySpan('POST:/orders');
  tracer.withSpan(job, () => copy.channel.sendToQueue(queue, Buffer.from('x')));
  job.end();
  return new Promise((resolve) => {
    void copy.channel.consume(queue, (message) => message && resolve(message), { noAck: true });
  });
}

/** The handler amqplib holds for a consumer: the instrumented copy's is the wrapper around the application's. */
async function registeredHandler(
  copy: Copy,
  queue: string,
  handler: (message: Amqp.ConsumeMessage | null) => void,
): Promise<(message: Amqp.ConsumeMessage) => unknown> {
  await copy.channel.assertQueue(queue, { autoDelete: true });
  const { consumerTag } = await copy.channel.consume(queue, handler, { noAck: true });
  const consumers = (copy.channel as unknown as { consumers: Map<string, unknown> }).consumers;
  return consumers.get(consumerTag) as (message: Amqp.ConsumeMessage) => unknown;
}

async function endToEnd(copy: Copy, queue: string): Promise<{ wallUs: number; cpuUs: number }> {
  let received = 0;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const channel = await copy.connection.createChannel();
  await channel.prefetch(100);
  await channel.assertQueue(queue, { autoDelete: true });
  await channel.consume(queue, (message) => {
    if (message === null) return;
    channel.ack(message);
    received += 1;
    if (received === ROUND_MESSAGES) done();
  });
  const started = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  for (let sent = 0; sent < ROUND_MESSAGES; sent += BATCH) {
    const request = tracer.startEntrySpan('POST:/orders');
    tracer.withSpan(request, () => {
      for (let i = 0; i < BATCH; i++) channel.sendToQueue(queue, Buffer.from(String(sent + i)));
    });
    request.end();
    await new Promise((resolve) => setImmediate(resolve));
  }
  await finished;
  const used = process.cpuUsage(cpu);
  const wall = Number(process.hrtime.bigint() - started) / 1000;
  await channel.close();
  return { wallUs: wall / ROUND_MESSAGES, cpuUs: (used.user + used.system) / ROUND_MESSAGES };
}

async function main(): Promise<void> {
  const broker = await startRabbitMq();
  try {
    const plainAmqp = requireFresh<typeof Amqp>('amqplib');
    const undo = amqplibInstrumentation.enable(context);
    const instrumentedAmqp = requireFresh<typeof Amqp>('amqplib');
    const copies: Copy[] = [];
    for (const [name, amqp] of [
      ['plain', plainAmqp],
      ['instrumented', instrumentedAmqp],
    ] as const) {
      const connection = await amqp.connect(broker.url);
      copies.push({ name, connection, channel: await connection.createChannel() });
    }
    const [plain, instrumented] = copies as [Copy, Copy];

    // (a) publish
    const publish = { plain: [] as BenchResult[], instrumented: [] as BenchResult[] };
    for (let t = 0; t < TRIALS; t++) {
      publish.plain.push(await publishBench(plain));
      publish.instrumented.push(await publishBench(instrumented));
    }

    // (b) per-delivery work, no socket: the same real message through each copy's registered handler.
    const message = await receiveOne(instrumented, 'windsock-bench-sample');
    let handled = 0;
    const appHandler = (m: Amqp.ConsumeMessage | null) => {
      if (m !== null) handled += 1;
    };
    const plainHandler = await registeredHandler(plain, 'windsock-bench-plain', appHandler);
    const wrappedHandler = await registeredHandler(
      instrumented,
      'windsock-bench-wrapped',
      appHandler,
    );
    const delivery = { plain: [] as BenchResult[], instrumented: [] as BenchResult[] };
    for (let t = 0; t < TRIALS; t++) {
      delivery.plain.push(bench('plain: delivery', () => plainHandler(message)));
      delivery.instrumented.push(bench('instrumented: delivery', () => wrappedHandler(message)));
    }

    // (c) end to end through the broker, with acks
    const rounds = {
      plain: [] as { wallUs: number; cpuUs: number }[],
      instrumented: [] as { wallUs: number; cpuUs: number }[],
    };
    for (let t = 0; t < TRIALS; t++) {
      rounds.plain.push(await endToEnd(plain, `windsock-bench-e2e-plain-${t}`));
      rounds.instrumented.push(await endToEnd(instrumented, `windsock-bench-e2e-inst-${t}`));
    }

    const publishPlain = medianResult('sendToQueue, not instrumented', publish.plain);
    const publishInst = medianResult(
      'sendToQueue, instrumented (exit span, sw8 + sw8-x headers)',
      publish.instrumented,
    );
    const deliveryPlain = medianResult('delivery handler, not instrumented', delivery.plain);
    const deliveryInst = medianResult(
      'delivery handler, instrumented (entry span from sw8, tags, latency)',
      delivery.instrumented,
    );
    printTable(
      `amqplib against RabbitMQ ${broker.port}: per publish (batches of ${BATCH} in a request span) and per delivery (no socket), median of ${TRIALS} trials`,
      [publishPlain, publishInst, deliveryPlain, deliveryInst],
    );
    console.log(ratio('publish', publishPlain, publishInst));
    console.log(ratio('delivery', deliveryPlain, deliveryInst));
    const row = (name: string, samples: { wallUs: number; cpuUs: number }[]) =>
      `| ${name} | ${median(samples.map((s) => s.wallUs)).toFixed(1)} | ${median(samples.map((s) => s.cpuUs)).toFixed(1)} |`;
    console.log(
      [
        '',
        `### ${ROUND_MESSAGES} messages published and consumed with acks per round, median of ${TRIALS} rounds`,
        '',
        '| copy | wall µs/message | process CPU µs/message |',
        '|---|---:|---:|',
        row('not instrumented', rounds.plain),
        row('instrumented', rounds.instrumented),
        '',
      ].join('\n'),
    );
    if (handled === 0 || segmentsReported() === 0) throw new Error('the bench measured nothing');
    for (const copy of copies) await copy.connection.close();
    undo();
  } finally {
    await broker.stop();
  }
}

await main();
