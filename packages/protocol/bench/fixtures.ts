// Realistic telemetry shapes: an HTTP entry span with a cross-process ref and exit spans with the tags the
// agent writes; a log record with a trace context and a few tags.
import {
  ComponentId,
  type LogData,
  RefType,
  type SegmentObject,
  SpanLayer,
  type SpanObject,
  SpanType,
} from '../src/index.js';

const start = 1_732_600_000_000;

function entrySpan(): SpanObject {
  return {
    spanId: 0,
    parentSpanId: -1,
    startTime: start,
    endTime: start + 42,
    refs: [
      {
        refType: RefType.CrossProcess,
        traceId: '3f2a8c0e4b7d4e1f9a6b5c4d3e2f1a0b.12.17326000000000001',
        parentTraceSegmentId: '3f2a8c0e4b7d4e1f9a6b5c4d3e2f1a0b.12.17326000000000002',
        parentSpanId: 1,
        parentService: 'gateway',
        parentServiceInstance: 'gateway-7d9f@10.0.0.12',
        parentEndpoint: 'GET:/api/orders/:id',
        networkAddressUsedAtPeer: 'orders.internal:8080',
      },
    ],
    operationName: 'GET:/api/orders/:id',
    peer: '',
    spanType: SpanType.Entry,
    spanLayer: SpanLayer.Http,
    componentId: ComponentId.HttpServer,
    isError: false,
    tags: [
      { key: 'http.method', value: 'GET' },
      { key: 'http.url', value: 'http://orders.internal:8080/api/orders/12345' },
      { key: 'http.status_code', value: '200' },
    ],
    logs: [],
    skipAnalysis: false,
  };
}

function exitSpan(spanId: number): SpanObject {
  return {
    spanId,
    parentSpanId: 0,
    startTime: start + spanId,
    endTime: start + spanId + 3,
    refs: [],
    operationName: '/inventory/items',
    peer: 'inventory.internal:8081',
    spanType: SpanType.Exit,
    spanLayer: SpanLayer.Http,
    componentId: ComponentId.HttpClient,
    isError: spanId % 7 === 0,
    tags: [
      { key: 'http.method', value: 'POST' },
      { key: 'http.url', value: `http://inventory.internal:8081/inventory/items?batch=${spanId}` },
      { key: 'http.status_code', value: '201' },
    ],
    logs: [],
    skipAnalysis: false,
  };
}

export function segmentWithSpans(spanCount: number): SegmentObject {
  const spans = [entrySpan()];
  for (let id = 1; id < spanCount; id++) spans.push(exitSpan(id));
  return {
    traceId: '3f2a8c0e4b7d4e1f9a6b5c4d3e2f1a0b.12.17326000000000001',
    traceSegmentId: '9c1d2e3f4a5b4c6d8e7f6a5b4c3d2e1f.40.17326000000420003',
    spans,
    service: 'orders',
    serviceInstance: 'orders-5c8b@10.0.0.31',
    isSizeLimited: false,
  };
}

export function logRecord(): LogData {
  return {
    timestamp: start + 17,
    service: 'orders',
    serviceInstance: 'orders-5c8b@10.0.0.31',
    endpoint: 'GET:/api/orders/:id',
    body: {
      type: 'text',
      text: { text: 'order 12345 loaded from cache in 3 ms (hit ratio 0.97, shard eu-west-1b)' },
    },
    traceContext: {
      traceId: '3f2a8c0e4b7d4e1f9a6b5c4d3e2f1a0b.12.17326000000000001',
      traceSegmentId: '9c1d2e3f4a5b4c6d8e7f6a5b4c3d2e1f.40.17326000000420003',
      spanId: 0,
    },
    tags: {
      data: [
        { key: 'level', value: 'INFO' },
        { key: 'logger', value: 'orders.cache' },
        { key: 'thread', value: 'main' },
      ],
    },
    layer: '',
  };
}
