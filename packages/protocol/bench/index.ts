// `pnpm bench`: the agent's hot encode paths, generated codec vs the hand-tuned encoders the package
// exports, and the sw8 header codec that runs on every traced request.
import { bench, printTable } from '@windsock/bench-kit';
import {
  LogData,
  SegmentCollection,
  SegmentObject,
  decodeSw8,
  encodeLogData,
  encodeSegmentCollection,
  encodeSegmentObject,
  encodeSw8,
} from '../src/index.js';
import { logRecord, segmentWithSpans } from './fixtures.js';

const twoSpans = segmentWithSpans(2);
const twentySpans = segmentWithSpans(20);
const log = logRecord();

process.stdout.write(
  `Encoded sizes: 2-span segment ${encodeSegmentObject(twoSpans).byteLength} B, ` +
    `20-span segment ${encodeSegmentObject(twentySpans).byteLength} B, ` +
    `log record ${encodeLogData(log).byteLength} B\n\n`,
);

const large = { iterations: 20_000 };
printTable('Encoding (bytes/op = heap allocated per encode)', [
  bench('2-span segment, generated SegmentObject.encode', () =>
    SegmentObject.encode(twoSpans).finish(),
  ),
  bench('2-span segment, encodeSegmentObject (hand-tuned)', () => encodeSegmentObject(twoSpans)),
  bench(
    '20-span segment, generated SegmentObject.encode',
    () => SegmentObject.encode(twentySpans).finish(),
    large,
  ),
  bench(
    '20-span segment, encodeSegmentObject (hand-tuned)',
    () => encodeSegmentObject(twentySpans),
    large,
  ),
  bench('log record, generated LogData.encode', () => LogData.encode(log).finish()),
  bench('log record, encodeLogData (hand-tuned)', () => encodeLogData(log)),
]);

const frames = Array.from({ length: 50 }, () => encodeSegmentObject(twoSpans));
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

const context = {
  sample: true,
  traceId: twoSpans.traceId,
  parentSegmentId: twoSpans.traceSegmentId,
  parentSpanId: 1,
  parentService: 'orders',
  parentServiceInstance: 'orders-5c8b@10.0.0.31',
  parentEndpoint: 'GET:/api/orders/:id',
  addressUsedAtClient: 'inventory.internal:8081',
};
const header = encodeSw8(context);
printTable('sw8 header', [
  bench('encodeSw8', () => encodeSw8(context)),
  bench('decodeSw8', () => decodeSw8(header)),
  bench('encodeSw8 + decodeSw8', () => decodeSw8(encodeSw8(context))),
]);
