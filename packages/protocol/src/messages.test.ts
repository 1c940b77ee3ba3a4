import { BinaryReader } from '@bufbuild/protobuf/wire';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as arb from '../test/arbitraries.js';
import {
  CPU,
  Command,
  Commands,
  ConfigurationSyncRequest,
  DetectPoint,
  Event,
  ID,
  InstancePingPkg,
  InstanceProperties,
  Instant,
  JSONLog,
  KeyIntValuePair,
  KeyStringValuePair,
  LogData,
  Label,
  LogDataBody,
  LogTags,
  type MessageCodec,
  MeterBucketValue,
  MeterData,
  MeterDataCollection,
  MeterHistogram,
  MeterSingleValue,
  RefType,
  SegmentCollection,
  SegmentObject,
  SegmentReference,
  Source,
  SpanAttachedEvent,
  SpanAttachedEvent_SpanReferenceType,
  SpanLayer,
  SpanObject,
  SpanType,
  TextLog,
  TraceContext,
  Type,
  YAMLLog,
  encodeMessage,
} from './index.js';

function roundTrip<T>(codec: MessageCodec<T>, arbitrary: fc.Arbitrary<T>): void {
  fc.assert(
    fc.property(arbitrary, (message) => {
      expect(codec.decode(encodeMessage(codec, message))).toEqual(message);
    }),
    { numRuns: 200 },
  );
}

describe('every message round-trips through its generated codec', () => {
  const cases: [string, () => void][] = [
    ['KeyStringValuePair', () => roundTrip(KeyStringValuePair, arb.keyStringValuePair)],
    ['KeyIntValuePair', () => roundTrip(KeyIntValuePair, arb.keyIntValuePair)],
    ['CPU', () => roundTrip(CPU, arb.cpu)],
    ['Instant', () => roundTrip(Instant, arb.instant)],
    ['Command', () => roundTrip(Command, arb.command)],
    ['Commands', () => roundTrip(Commands, arb.commands)],
    ['SegmentReference', () => roundTrip(SegmentReference, arb.segmentReference)],
    ['SpanObject', () => roundTrip(SpanObject, arb.spanObject)],
    ['SegmentObject', () => roundTrip(SegmentObject, arb.segmentObject)],
    ['SegmentCollection', () => roundTrip(SegmentCollection, arb.segmentCollection)],
    ['ID', () => roundTrip(ID, arb.id)],
    ['SpanAttachedEvent', () => roundTrip(SpanAttachedEvent, arb.spanAttachedEvent)],
    ['LogDataBody', () => roundTrip(LogDataBody, arb.logDataBody)],
    ['LogData', () => roundTrip(LogData, arb.logData)],
    ['InstanceProperties', () => roundTrip(InstanceProperties, arb.instanceProperties)],
    ['InstancePingPkg', () => roundTrip(InstancePingPkg, arb.instancePingPkg)],
    ['MeterData', () => roundTrip(MeterData, arb.meterData)],
    ['MeterDataCollection', () => roundTrip(MeterDataCollection, arb.meterDataCollection)],
    ['Event', () => roundTrip(Event, arb.event)],
    [
      'ConfigurationSyncRequest',
      () => roundTrip(ConfigurationSyncRequest, arb.configurationSyncRequest),
    ],
  ];
  it.each(cases)('%s', (_name, check) => check());

  it('keeps int64 millisecond timestamps as plain numbers', () => {
    const span = SpanObject.fromPartial({
      startTime: 1_700_000_000_123,
      endTime: 1_700_000_000_456,
    });
    const decoded = SpanObject.decode(encodeMessage(SpanObject, span));
    expect(decoded.startTime).toBe(1_700_000_000_123);
    expect(typeof decoded.endTime).toBe('number');
  });
});

// Wire types: 0 varint, 1 fixed64, 2 length-delimited.
const VARINT = 0;
const FIXED64 = 1;
const LEN = 2;

/** The (field number, wire type) pairs of an encoding, in order, read without the generated decoder. */
function wireLayout(bytes: Uint8Array): [number, number][] {
  const reader = new BinaryReader(bytes);
  const layout: [number, number][] = [];
  while (reader.pos < reader.len) {
    const [field, wireType] = reader.tag();
    layout.push([field, wireType]);
    reader.skip(wireType);
  }
  return layout;
}

function layoutOf<T>(codec: MessageCodec<T>, message: T): [number, number][] {
  return wireLayout(encodeMessage(codec, message));
}

// Expected field numbers and types transcribed from the protocol table (skywalking-v3.md), so a wrong
// number in a .proto file fails here even though the generated codec would round-trip it.
describe('wire layout matches the SkyWalking v3 field table', () => {
  const kv = [{ key: 'k', value: 'v' }];

  it('Common and Command', () => {
    expect(layoutOf(KeyStringValuePair, { key: 'k', value: 'v' })).toEqual([
      [1, LEN],
      [2, LEN],
    ]);
    expect(layoutOf(KeyIntValuePair, { key: 'k', value: -1 })).toEqual([
      [1, LEN],
      [2, VARINT],
    ]);
    expect(layoutOf(CPU, { usagePercent: 0.5 })).toEqual([[2, FIXED64]]);
    expect(layoutOf(Instant, { seconds: 1, nanos: 2 })).toEqual([
      [1, VARINT],
      [2, VARINT],
    ]);
    expect(layoutOf(Command, { command: 'c', args: kv })).toEqual([
      [1, LEN],
      [2, LEN],
    ]);
    expect(layoutOf(Commands, { commands: [{ command: 'c', args: [] }] })).toEqual([[1, LEN]]);
  });

  it('Tracing', () => {
    const reference: SegmentReference = {
      refType: RefType.CrossThread,
      traceId: 't',
      parentTraceSegmentId: 's',
      parentSpanId: 1,
      parentService: 'a',
      parentServiceInstance: 'b',
      parentEndpoint: 'c',
      networkAddressUsedAtPeer: 'd',
    };
    expect(layoutOf(SegmentReference, reference)).toEqual([
      [1, VARINT],
      [2, LEN],
      [3, LEN],
      [4, VARINT],
      [5, LEN],
      [6, LEN],
      [7, LEN],
      [8, LEN],
    ]);
    const span: SpanObject = {
      spanId: 1,
      parentSpanId: -1,
      startTime: 1,
      endTime: 2,
      refs: [reference],
      operationName: 'op',
      peer: 'p',
      spanType: SpanType.Exit,
      spanLayer: SpanLayer.Http,
      componentId: 2,
      isError: true,
      tags: kv,
      logs: [{ time: 1, data: kv }],
      skipAnalysis: true,
    };
    expect(layoutOf(SpanObject, span)).toEqual([
      [1, VARINT],
      [2, VARINT],
      [3, VARINT],
      [4, VARINT],
      [5, LEN],
      [6, LEN],
      [7, LEN],
      [8, VARINT],
      [9, VARINT],
      [10, VARINT],
      [11, VARINT],
      [12, LEN],
      [13, LEN],
      [14, VARINT],
    ]);
    const segment: SegmentObject = {
      traceId: 't',
      traceSegmentId: 's',
      spans: [span],
      service: 'a',
      serviceInstance: 'b',
      isSizeLimited: true,
    };
    expect(layoutOf(SegmentObject, segment)).toEqual([
      [1, LEN],
      [2, LEN],
      [3, LEN],
      [4, LEN],
      [5, LEN],
      [6, VARINT],
    ]);
    expect(layoutOf(SegmentCollection, { segments: [segment] })).toEqual([[1, LEN]]);
    expect(layoutOf(ID, { id: ['x'] })).toEqual([[1, LEN]]);
    const attached: SpanAttachedEvent = {
      startTime: { seconds: 1, nanos: 1 },
      event: 'e',
      endTime: { seconds: 2, nanos: 0 },
      tags: kv,
      summary: [{ key: 'k', value: 1 }],
      traceContext: {
        type: SpanAttachedEvent_SpanReferenceType.ZIPKIN,
        traceId: 't',
        traceSegmentId: 's',
        spanId: '1',
      },
    };
    expect(layoutOf(SpanAttachedEvent, attached)).toEqual([
      [1, LEN],
      [2, LEN],
      [3, LEN],
      [4, LEN],
      [5, LEN],
      [6, LEN],
    ]);
  });

  it('Logging, including each LogDataBody oneof case', () => {
    const log: LogData = {
      timestamp: 1,
      service: 's',
      serviceInstance: 'i',
      endpoint: 'e',
      body: { type: 'text', text: { text: 'hello' } },
      traceContext: { traceId: 't', traceSegmentId: 's', spanId: 1 },
      tags: { data: kv },
      layer: 'GENERAL',
    };
    expect(layoutOf(LogData, log)).toEqual([
      [1, VARINT],
      [2, LEN],
      [3, LEN],
      [4, LEN],
      [5, LEN],
      [6, LEN],
      [7, LEN],
      [8, LEN],
    ]);
    expect(layoutOf(TraceContext, { traceId: 't', traceSegmentId: 's', spanId: 1 })).toEqual([
      [1, LEN],
      [2, LEN],
      [3, VARINT],
    ]);
    expect(layoutOf(LogTags, { data: kv })).toEqual([[1, LEN]]);
    expect(layoutOf(TextLog, { text: 'x' })).toEqual([[1, LEN]]);
    expect(layoutOf(JSONLog, { json: 'x' })).toEqual([[1, LEN]]);
    expect(layoutOf(YAMLLog, { yaml: 'x' })).toEqual([[1, LEN]]);
    expect(layoutOf(LogDataBody, { type: 't', text: { text: 'x' } })).toEqual([
      [1, LEN],
      [2, LEN],
    ]);
    expect(layoutOf(LogDataBody, { type: 't', json: { json: '{}' } })).toEqual([
      [1, LEN],
      [3, LEN],
    ]);
    expect(layoutOf(LogDataBody, { type: 't', yaml: { yaml: 'a: 1' } })).toEqual([
      [1, LEN],
      [4, LEN],
    ]);
  });

  it('Management, Meter, Event and ConfigurationDiscoveryService', () => {
    expect(
      layoutOf(InstanceProperties, {
        service: 's',
        serviceInstance: 'i',
        properties: kv,
        layer: 'GENERAL',
      }),
    ).toEqual([
      [1, LEN],
      [2, LEN],
      [3, LEN],
      [4, LEN],
    ]);
    expect(
      layoutOf(InstancePingPkg, { service: 's', serviceInstance: 'i', layer: 'GENERAL' }),
    ).toEqual([
      [1, LEN],
      [2, LEN],
      [3, LEN],
    ]);
    const labels = [{ name: 'n', value: 'v' }];
    const single = MeterData.fromPartial({
      singleValue: { name: 'm', labels, value: 1.5 },
      service: 's',
      serviceInstance: 'i',
      timestamp: 1,
    });
    expect(layoutOf(MeterData, single)).toEqual([
      [1, LEN],
      [3, LEN],
      [4, LEN],
      [5, VARINT],
    ]);
    const histogram = MeterData.fromPartial({ histogram: { name: 'h' } });
    expect(layoutOf(MeterData, histogram)).toEqual([[2, LEN]]);
    expect(layoutOf(MeterSingleValue, { name: 'm', labels, value: 1.5 })).toEqual([
      [1, LEN],
      [2, LEN],
      [3, FIXED64],
    ]);
    expect(
      layoutOf(MeterHistogram, {
        name: 'h',
        labels,
        values: [{ bucket: 0.5, count: 3, isNegativeInfinity: true }],
      }),
    ).toEqual([
      [1, LEN],
      [2, LEN],
      [3, LEN],
    ]);
    expect(layoutOf(MeterBucketValue, { bucket: 0.5, count: 3, isNegativeInfinity: true })).toEqual(
      [
        [1, FIXED64],
        [2, VARINT],
        [3, VARINT],
      ],
    );
    expect(layoutOf(Label, { name: 'n', value: 'v' })).toEqual([
      [1, LEN],
      [2, LEN],
    ]);
    expect(layoutOf(MeterDataCollection, { meterData: [single] })).toEqual([[1, LEN]]);
    const event: Event = {
      uuid: 'u',
      source: { service: 's', serviceInstance: 'i', endpoint: 'e' },
      name: 'Reboot',
      type: Type.Error,
      message: 'm',
      parameters: { a: 'b' },
      startTime: 1,
      endTime: 2,
      layer: 'GENERAL',
    };
    expect(layoutOf(Event, event)).toEqual([
      [1, LEN],
      [2, LEN],
      [3, LEN],
      [4, VARINT],
      [5, LEN],
      [6, LEN],
      [7, VARINT],
      [8, VARINT],
      [9, LEN],
    ]);
    expect(layoutOf(Source, { service: 's', serviceInstance: 'i', endpoint: 'e' })).toEqual([
      [1, LEN],
      [2, LEN],
      [3, LEN],
    ]);
    expect(layoutOf(ConfigurationSyncRequest, { service: 's', uuid: 'u' })).toEqual([
      [1, LEN],
      [2, LEN],
    ]);
  });

  it('enum values match the table', () => {
    expect([SpanType.Entry, SpanType.Exit, SpanType.Local]).toEqual([0, 1, 2]);
    expect([RefType.CrossProcess, RefType.CrossThread]).toEqual([0, 1]);
    expect([
      SpanLayer.Unknown,
      SpanLayer.Database,
      SpanLayer.RPCFramework,
      SpanLayer.Http,
      SpanLayer.MQ,
      SpanLayer.Cache,
      SpanLayer.FAAS,
    ]).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect([DetectPoint.client, DetectPoint.server, DetectPoint.proxy]).toEqual([0, 1, 2]);
    expect([Type.Normal, Type.Error]).toEqual([0, 1]);
    expect([
      SpanAttachedEvent_SpanReferenceType.SKYWALKING,
      SpanAttachedEvent_SpanReferenceType.ZIPKIN,
    ]).toEqual([0, 1]);
  });
});
