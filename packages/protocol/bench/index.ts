// `pnpm bench`: the agent's hot encode paths, generated codec vs the hand-tuned encoders the package
// exports, and the sw8 header codec that runs on every traced request.
import { bench, printTable } from '@windsock/bench-kit';
import {
  LogData,
  SegmentCollection,
  SegmentObject,
  decodeSw8,
  encodeSegmentCollection,
  FrameEncoder,
  encodeSw8,
  encodeSw8SegmentPart,
  encodeSw8WithSegmentPart,
  type Sw8Context,
} from '../src/index.js';
import { FrameSlab } from '../src/encoding/frame-builder.js';
import { encodeSegmentObjectFast } from '../src/encoding/segment-encoder.js';
import { referenceDecodeSw8, referenceEncodeSw8 } from '../test/reference-sw8.js';
import { logRecord, segmentWithSpans } from './fixtures.js';

const twoSpans = segmentWithSpans(2);
const twentySpans = segmentWithSpans(20);
const log = logRecord();

const encoder = new FrameEncoder();
process.stdout.write(
  `Encoded sizes: 2-span segment ${encoder.segment(twoSpans).byteLength} B, ` +
    `20-span segment ${encoder.segment(twentySpans).byteLength} B, ` +
    `log record ${encoder.log(log).byteLength} B\n\n`,
);

const large = { iterations: 20_000 };
printTable('Encoding (bytes/op = heap allocated per encode)', [
  bench('2-span segment, generated SegmentObject.encode', () =>
    SegmentObject.encode(twoSpans).finish(),
  ),
  bench('2-span segment, FrameEncoder.segment (hand-tuned)', () => encoder.segment(twoSpans)),
  bench(
    '20-span segment, generated SegmentObject.encode',
    () => SegmentObject.encode(twentySpans).finish(),
    large,
  ),
  bench(
    '20-span segment, FrameEncoder.segment (hand-tuned)',
    () => encoder.segment(twentySpans),
    large,
  ),
  bench('log record, generated LogData.encode', () => LogData.encode(log).finish()),
  bench('log record, FrameEncoder.log (hand-tuned)', () => encoder.log(log)),
]);

// What the agent does with frames: a queue keeps thousands of them for a while, so each encode's copy-out has to
// allocate for real, and the garbage collector sees every frame. Same segment, same encoder; only where the frame is
// copied to differs (an exactly sized ArrayBuffer of its own, or a range of a 16 KiB slab).
const kept: Uint8Array[] = [];
const keep = (frame: Uint8Array) => {
  kept.push(frame);
  if (kept.length === 10_000) kept.length = 0;
};
const slab = new FrameSlab();
printTable('Frames kept as a queue keeps them (10,000 at a time)', [
  bench('2-span segment, frame in an ArrayBuffer of its own', () =>
    keep(encodeSegmentObjectFast(twoSpans)),
  ),
  bench('2-span segment, frame in a slab (FrameEncoder)', () =>
    keep(encodeSegmentObjectFast(twoSpans, slab)),
  ),
]);
kept.length = 0;

const frames = Array.from({ length: 50 }, () => encoder.segment(twoSpans));
const segments = frames.map(() => twoSpans);
printTable('collectInSync batch of 50 two-span segments', [
  bench(
    'generated SegmentCollection.encode',
    () => SegmentCollection.encode({ segments }).finish(),
    {
      iterations: 2_000,
      warmup: 500,
    },
  ),
  bench('encodeSegmentCollection(frames)', () => encodeSegmentCollection(frames), {
    iterations: 20_000,
  }),
]);

// sw8: what an agent sees. Trace and segment ids are new for every request (ids shaped like @windsock/core's:
// a process prefix and a counter); service and instance repeat; endpoints and peers come from a short list.
// Each row cycles through 1,024 distinct contexts, so the per-trace memo never hits unless the row says so.
const prefix = '3f2a8c0e4b7d4e1f.lz1k2m3n.';
const endpoints = ['GET:/api/orders/:id', 'POST:/api/orders', 'GET:/health', 'GET:/api/users/:id'];
const peers = ['inventory.internal:8081', 'payments.internal:8443', 'users.internal:8080'];
const contexts: Sw8Context[] = Array.from({ length: 1024 }, (_, i) => ({
  sample: true,
  traceId: prefix + (10_000 + i).toString(36),
  parentSegmentId: prefix + (20_000 + i).toString(36),
  parentSpanId: 1 + (i % 5),
  parentService: 'orders',
  parentServiceInstance: 'orders-5c8b@10.0.0.31',
  parentEndpoint: endpoints[i % endpoints.length]!,
  addressUsedAtClient: peers[i % peers.length]!,
}));
// Flat strings, as Node's HTTP parser hands them over (encodeSw8 returns a concatenation).
const headers = contexts.map((context) =>
  Buffer.from(encodeSw8(context), 'latin1').toString('latin1'),
);
const oneContext = contexts[0]!;
const pick = (i: number) => contexts[i & 1023]!;
const pickHeader = (i: number) => headers[i & 1023];
process.stdout.write(`sw8 value: ${headers[0]!.length} characters\n\n`);

printTable('sw8 header (before = the previous codec, test/reference-sw8.ts, in the same run)', [
  bench('before: encodeSw8, new trace each call', (i) => referenceEncodeSw8(pick(i))),
  bench('after: encodeSw8, new trace each call', (i) => encodeSw8(pick(i))),
  bench('before: encodeSw8, same segment (2nd exit)', () => referenceEncodeSw8(oneContext)),
  bench('after: encodeSw8, same segment (2nd exit)', () => encodeSw8(oneContext)),
  bench('before: decodeSw8', (i) => referenceDecodeSw8(pickHeader(i))),
  bench('after: decodeSw8', (i) => decodeSw8(pickHeader(i))),
  bench('before: encodeSw8 + decodeSw8', (i) => referenceDecodeSw8(referenceEncodeSw8(pick(i)))),
  bench('after: encodeSw8 + decodeSw8', (i) => decodeSw8(encodeSw8(pick(i)))),
]);

// What @windsock/core does: the sample flag and ids are encoded once per segment (encodeSw8SegmentPart) and each
// exit span adds its own fields; a server continues the incoming trace in a new segment of its own.
const ownSegmentIds = contexts.map((context) =>
  context.parentSegmentId.replace(prefix, '5d1e0b2c3a4f6e70.mwxg85nj.'),
);
const segmentPart = encodeSw8SegmentPart(true, oneContext.traceId, oneContext.parentSegmentId);
printTable('sw8 as @windsock/core uses it', [
  bench('exit span, segment part already encoded', (i) => {
    const context = pick(i);
    return encodeSw8WithSegmentPart(
      segmentPart,
      context.parentSpanId,
      context.parentService,
      context.parentServiceInstance,
      context.parentEndpoint,
      context.addressUsedAtClient,
    );
  }),
  bench('continue: decodeSw8, then the first exit span of the new segment', (i) => {
    const incoming = decodeSw8(pickHeader(i))!;
    return encodeSw8WithSegmentPart(
      encodeSw8SegmentPart(true, incoming.traceId, ownSegmentIds[i & 1023]!),
      1,
      'orders',
      'orders-5c8b@10.0.0.31',
      'GET:/api/orders/:id',
      'inventory.internal:8081',
    );
  }),
  bench('before: the same with the previous codec', (i) => {
    const incoming = referenceDecodeSw8(pickHeader(i))!;
    return referenceEncodeSw8({
      ...incoming,
      parentSegmentId: ownSegmentIds[i & 1023]!,
      parentSpanId: 1,
      parentService: 'orders',
      parentServiceInstance: 'orders-5c8b@10.0.0.31',
      parentEndpoint: 'GET:/api/orders/:id',
      addressUsedAtClient: 'inventory.internal:8081',
    });
  }),
]);
