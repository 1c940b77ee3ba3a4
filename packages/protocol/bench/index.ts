import { bench, printTable } from '@windsock/bench-kit';
import {
  LogData,
  SegmentObject,
  decodeSw8,
  encodeLogData,
  encodeSegmentObject,
  encodeSw8,
} from '../src/index.js';
import { encodeLogDataFast } from '../src/encoding/log-encoder.js';
import { encodeSegmentObjectFast } from '../src/encoding/segment-encoder.js';
import { logRecord, segmentWithSpans } from './fixtures.js';

const twoSpans = segmentWithSpans(2);
const twentySpans = segmentWithSpans(20);
const log = logRecord();

const size = (bytes: Uint8Array) => `${bytes.byteLength} B`;
process.stdout.write(
  `encoded sizes: 2-span segment ${size(encodeSegmentObject(twoSpans))}, ` +
    `20-span segment ${size(encodeSegmentObject(twentySpans))}, log record ${size(encodeLogData(log))}\n\n`,
);

printTable('Encoding (bytes/op = heap allocated per encode)', [
  bench('2-span segment, generated (ts-proto)', () => SegmentObject.encode(twoSpans).finish()),
  bench('2-span segment, hand-tuned', () => encodeSegmentObjectFast(twoSpans)),
  bench('20-span segment, generated (ts-proto)', () => SegmentObject.encode(twentySpans).finish(), {
    iterations: 20_000,
  }),
  bench('20-span segment, hand-tuned', () => encodeSegmentObjectFast(twentySpans), {
    iterations: 20_000,
  }),
  bench('log record, generated (ts-proto)', () => LogData.encode(log).finish()),
  bench('log record, hand-tuned', () => encodeLogDataFast(log)),
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
  bench('sw8 encode', () => encodeSw8(context)),
  bench('sw8 decode', () => decodeSw8(header)),
  bench('sw8 encode + decode', () => decodeSw8(encodeSw8(context))),
]);
