import { RefType, type SegmentObject } from '@windsock/protocol';
import { describe, expect, it } from 'vitest';
import { segment } from '../test/fixtures.js';
import { summarizeTraces } from './traces.js';

const span = (
  spanId: number,
  parentSpanId: number,
  startTime: number,
  endTime: number,
  isError = false,
) => ({
  ...segment('x').spans[0]!,
  spanId,
  parentSpanId,
  startTime,
  endTime,
  isError,
  operationName: `op${spanId}`,
});

/** A segment of `service` whose entry span (`operation`, from `start` to `end`) was called by `parent`'s span 1. */
function hop(
  traceId: string,
  id: string,
  service: string,
  operation: string,
  start: number,
  end: number,
  parent?: SegmentObject,
  refType = RefType.CrossProcess,
): SegmentObject {
  return segment(traceId, {
    traceSegmentId: id,
    service,
    spans: [
      {
        ...span(0, -1, start, end),
        operationName: operation,
        refs:
          parent === undefined
            ? []
            : [
                {
                  refType,
                  traceId,
                  parentTraceSegmentId: parent.traceSegmentId,
                  parentSpanId: 1,
                  parentService: parent.service,
                  parentServiceInstance: parent.serviceInstance,
                  parentEndpoint: parent.spans[0]!.operationName,
                  networkAddressUsedAtPeer: '127.0.0.1:3002',
                },
              ],
      },
    ],
  });
}

describe('summarizeTraces', () => {
  it('merges the segments of a trace: services, spans, errors, duration, entry endpoint', () => {
    const api = segment('t', {
      traceSegmentId: 't.api',
      service: 'api',
      spans: [span(1, 0, 105, 150, true), span(0, -1, 100, 160)],
    });
    const summaries = summarizeTraces(
      [api, hop('t', 't.db', 'db', 'SELECT', 110, 190, api), segment('t', { spans: [] })],
      10,
    );
    expect(summaries).toEqual([
      {
        traceId: 't',
        services: ['api', 'db', 'checkout'],
        segments: 3,
        spans: 3,
        startTime: 100,
        durationMs: 90,
        errors: 1,
        endpoint: 'op0',
        rootArrived: true,
      },
    ]);
  });

  it('orders services by the call tree and names the root endpoint, whatever the arrival order', () => {
    // The demo's shape: the frontend's segment is sent after inventory's (it ends last), and a downstream span
    // can start in the same millisecond as the root.
    const frontend = hop('t', 'f', 'frontend', 'GET:/checkout', 100, 140);
    const items = hop('t', 'i1', 'inventory', 'GET:/items/:sku', 100, 120, frontend);
    const prices = hop('t', 'i2', 'inventory', 'GET:/prices/:sku', 100, 118, frontend);
    const arrivals = [
      [prices, items, frontend],
      [items, frontend, prices],
      [frontend, prices, items],
    ];
    for (const segments of arrivals) {
      expect(summarizeTraces(segments, 5)[0]).toMatchObject({
        services: ['frontend', 'inventory'],
        endpoint: 'GET:/checkout',
        rootArrived: true,
        segments: 3,
      });
    }
  });

  it('walks the tree depth-first, callees in start order, across a cross-thread continuation', () => {
    const gateway = hop('t', 'g', 'gateway', 'GET:/', 100, 200);
    const later = hop('t', 'g2', 'gateway', 'Async', 150, 160, gateway, RefType.CrossThread);
    const users = hop('t', 'u', 'users', 'GET:/users', 130, 140, gateway);
    const orders = hop('t', 'o', 'orders', 'GET:/orders', 110, 190, gateway);
    const stock = hop('t', 's', 'stock', 'GET:/stock', 120, 125, orders);
    const billing = hop('t', 'b', 'billing', 'POST:/bill', 155, 158, later);
    expect(summarizeTraces([billing, stock, users, later, orders, gateway], 5)[0]).toMatchObject({
      services: ['gateway', 'orders', 'stock', 'users', 'billing'],
      endpoint: 'GET:/',
      rootArrived: true,
    });
  });

  it('says when the root segment has not arrived, and never names a downstream endpoint instead', () => {
    const frontend = hop('t', 'f', 'frontend', 'GET:/checkout', 100, 140);
    const prices = hop('t', 'i2', 'inventory', 'GET:/prices/sku-10', 101, 118, frontend);
    const stock = hop('t', 'd', 'stock', 'GET:/stock', 105, 110, prices);
    expect(summarizeTraces([stock, prices], 5)[0]).toMatchObject({
      services: ['inventory', 'stock'],
      endpoint: '',
      rootArrived: false,
      startTime: 101,
    });
  });

  it('ends on a ref cycle (a malformed agent) with every service listed once', () => {
    const a = hop('t', 'a', 'a', 'A', 100, 110);
    const b = hop('t', 'b', 'b', 'B', 101, 109, a);
    const cyclic = {
      ...a,
      spans: [
        {
          ...a.spans[0]!,
          refs: b.spans[0]!.refs.map((r) => ({ ...r, parentTraceSegmentId: 'b' })),
        },
      ],
    };
    expect(summarizeTraces([b, cyclic], 5)[0]).toMatchObject({
      services: ['a', 'b'],
      rootArrived: false,
      endpoint: '',
    });
  });

  it('lists the most recently started first and honours the limit', () => {
    const segments = [
      segment('old', { spans: [span(0, -1, 1, 2)] }),
      segment('new', { spans: [span(0, -1, 50, 60)] }),
      segment('mid', { spans: [span(0, -1, 10, 20)] }),
    ];
    expect(summarizeTraces(segments, 2).map((t) => t.traceId)).toEqual(['new', 'mid']);
    expect(summarizeTraces(segments, 0)).toEqual([]);
  });

  it('reports a trace without spans with zero times and no root', () => {
    expect(summarizeTraces([segment('empty', { spans: [] })], 5)[0]).toMatchObject({
      spans: 0,
      startTime: 0,
      durationMs: 0,
      endpoint: '',
      rootArrived: false,
    });
  });
});
