import {
  type LogData,
  type MeterData,
  type SegmentObject,
  SpanLayer,
  SpanType,
} from '@windsock/protocol';

export function segment(traceId: string, overrides: Partial<SegmentObject> = {}): SegmentObject {
  return {
    traceId,
    traceSegmentId: `${traceId}.seg`,
    service: 'checkout',
    serviceInstance: 'checkout-1',
    isSizeLimited: false,
    spans: [
      {
        spanId: 0,
        parentSpanId: -1,
        startTime: 1_700_000_000_000,
        endTime: 1_700_000_000_025,
        refs: [],
        operationName: 'GET:/cart',
        peer: '',
        spanType: SpanType.Entry,
        spanLayer: SpanLayer.Http,
        componentId: 49,
        isError: false,
        tags: [{ key: 'http.method', value: 'GET' }],
        logs: [],
        skipAnalysis: false,
      },
    ],
    ...overrides,
  };
}

export function log(text: string): LogData {
  return {
    timestamp: 1_700_000_000_000,
    service: 'checkout',
    serviceInstance: 'checkout-1',
    endpoint: 'GET:/cart',
    body: { type: 'text', text: { text } },
    traceContext: undefined,
    tags: { data: [{ key: 'level', value: 'INFO' }] },
    layer: '',
  };
}

export function meter(name: string, value: number): MeterData {
  return {
    singleValue: { name, labels: [{ name: 'pool', value: 'default' }], value },
    histogram: undefined,
    service: 'checkout',
    serviceInstance: 'checkout-1',
    timestamp: 1_700_000_000_000,
  };
}
