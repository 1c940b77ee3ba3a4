// fast-check arbitraries for every SkyWalking message, shared by the tests. Values stay inside what the
// generated codecs round-trip exactly: int64 as safe integers (forceLong=number), no -0 (proto3 does not
// write a zero, so -0 comes back as 0), and valid Unicode (UTF-8 cannot carry a lone surrogate).
import fc from 'fast-check';
import {
  type Command,
  type Commands,
  type ConfigurationSyncRequest,
  type CPU,
  type Event,
  type InstancePingPkg,
  type InstanceProperties,
  type Instant,
  type KeyIntValuePair,
  type KeyStringValuePair,
  type Label,
  type LogData,
  type LogDataBody,
  type MeterData,
  type MeterDataCollection,
  type SegmentCollection,
  type SegmentObject,
  type SegmentReference,
  type SpanAttachedEvent,
  type SpanObject,
  type ID,
  RefType,
  SpanAttachedEvent_SpanReferenceType,
  SpanLayer,
  SpanType,
  Type,
} from '../src/index.js';

export const text = fc.string({ unit: 'grapheme', maxLength: 24 });
export const int32 = fc.integer({ min: -0x80000000, max: 0x7fffffff });
export const int64 = fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER });
export const epochMillis = fc.integer({ min: 0, max: 4_102_444_800_000 });
export const double = fc.double().filter((value) => !Object.is(value, -0));
const list = <T>(item: fc.Arbitrary<T>) => fc.array(item, { maxLength: 4 });

export const keyStringValuePair: fc.Arbitrary<KeyStringValuePair> = fc.record({
  key: text,
  value: text,
});
export const keyIntValuePair: fc.Arbitrary<KeyIntValuePair> = fc.record({
  key: text,
  value: int64,
});
export const cpu: fc.Arbitrary<CPU> = fc.record({ usagePercent: double });
export const instant: fc.Arbitrary<Instant> = fc.record({
  seconds: int64,
  nanos: fc.integer({ min: 0, max: 999_999_999 }),
});

export const command: fc.Arbitrary<Command> = fc.record({
  command: text,
  args: list(keyStringValuePair),
});
export const commands: fc.Arbitrary<Commands> = fc.record({ commands: list(command) });

export const segmentReference: fc.Arbitrary<SegmentReference> = fc.record({
  refType: fc.constantFrom(RefType.CrossProcess, RefType.CrossThread),
  traceId: text,
  parentTraceSegmentId: text,
  parentSpanId: int32,
  parentService: text,
  parentServiceInstance: text,
  parentEndpoint: text,
  networkAddressUsedAtPeer: text,
});

export const spanObject: fc.Arbitrary<SpanObject> = fc.record({
  spanId: int32,
  parentSpanId: int32,
  startTime: epochMillis,
  endTime: epochMillis,
  refs: list(segmentReference),
  operationName: text,
  peer: text,
  spanType: fc.constantFrom(SpanType.Entry, SpanType.Exit, SpanType.Local),
  spanLayer: fc.constantFrom(
    SpanLayer.Unknown,
    SpanLayer.Database,
    SpanLayer.RPCFramework,
    SpanLayer.Http,
    SpanLayer.MQ,
    SpanLayer.Cache,
    SpanLayer.FAAS,
  ),
  componentId: int32,
  isError: fc.boolean(),
  tags: list(keyStringValuePair),
  logs: list(fc.record({ time: epochMillis, data: list(keyStringValuePair) })),
  skipAnalysis: fc.boolean(),
});

export const segmentObject: fc.Arbitrary<SegmentObject> = fc.record({
  traceId: text,
  traceSegmentId: text,
  spans: list(spanObject),
  service: text,
  serviceInstance: text,
  isSizeLimited: fc.boolean(),
});

export const segmentCollection: fc.Arbitrary<SegmentCollection> = fc.record({
  segments: list(segmentObject),
});

export const id: fc.Arbitrary<ID> = fc.record({ id: list(text) });

export const spanAttachedEvent: fc.Arbitrary<SpanAttachedEvent> = fc.record({
  startTime: fc.option(instant, { nil: undefined }),
  event: text,
  endTime: fc.option(instant, { nil: undefined }),
  tags: list(keyStringValuePair),
  summary: list(keyIntValuePair),
  traceContext: fc.option(
    fc.record({
      type: fc.constantFrom(
        SpanAttachedEvent_SpanReferenceType.SKYWALKING,
        SpanAttachedEvent_SpanReferenceType.ZIPKIN,
      ),
      traceId: text,
      traceSegmentId: text,
      spanId: text,
    }),
    { nil: undefined },
  ),
});

const logContent = fc.oneof(
  fc.record({ text: fc.record({ text }) }),
  fc.record({ json: fc.record({ json: text }) }),
  fc.record({ yaml: fc.record({ yaml: text }) }),
  fc.constant({}),
);

export const logDataBody: fc.Arbitrary<LogDataBody> = fc
  .tuple(text, logContent)
  .map(([type, content]) => ({ type, ...content }));

export const logData: fc.Arbitrary<LogData> = fc.record({
  timestamp: epochMillis,
  service: text,
  serviceInstance: text,
  endpoint: text,
  body: fc.option(logDataBody, { nil: undefined }),
  traceContext: fc.option(fc.record({ traceId: text, traceSegmentId: text, spanId: int32 }), {
    nil: undefined,
  }),
  tags: fc.option(fc.record({ data: list(keyStringValuePair) }), { nil: undefined }),
  layer: text,
});

export const instanceProperties: fc.Arbitrary<InstanceProperties> = fc.record({
  service: text,
  serviceInstance: text,
  properties: list(keyStringValuePair),
  layer: text,
});

export const instancePingPkg: fc.Arbitrary<InstancePingPkg> = fc.record({
  service: text,
  serviceInstance: text,
  layer: text,
});

const label: fc.Arbitrary<Label> = fc.record({ name: text, value: text });

const meterMetric = fc.oneof(
  fc.record({ singleValue: fc.record({ name: text, labels: list(label), value: double }) }),
  fc.record({
    histogram: fc.record({
      name: text,
      labels: list(label),
      values: list(fc.record({ bucket: double, count: int64, isNegativeInfinity: fc.boolean() })),
    }),
  }),
  fc.constant({}),
);

export const meterData: fc.Arbitrary<MeterData> = fc
  .tuple(meterMetric, text, text, epochMillis)
  .map(([metric, service, serviceInstance, timestamp]) => ({
    ...metric,
    service,
    serviceInstance,
    timestamp,
  }));

export const meterDataCollection: fc.Arbitrary<MeterDataCollection> = fc.record({
  meterData: list(meterData),
});

export const event: fc.Arbitrary<Event> = fc.record({
  uuid: text,
  source: fc.option(fc.record({ service: text, serviceInstance: text, endpoint: text }), {
    nil: undefined,
  }),
  name: text,
  type: fc.constantFrom(Type.Normal, Type.Error),
  message: text,
  // "__proto__" would become the decoded object's prototype, not a key (a ts-proto map quirk).
  parameters: fc.dictionary(
    text.filter((key) => key !== '__proto__'),
    text,
    { maxKeys: 4 },
  ),
  startTime: epochMillis,
  endTime: epochMillis,
  layer: text,
});

export const configurationSyncRequest: fc.Arbitrary<ConfigurationSyncRequest> = fc.record({
  service: text,
  uuid: text,
});
