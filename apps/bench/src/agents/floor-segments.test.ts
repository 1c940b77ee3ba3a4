import { SegmentObject, SpanType } from '@windsock/protocol';
import { describe, expect, it } from 'vitest';
import { SegmentsOfWorkload, start } from './floor-segments.js';
import { runWorkloadUnder } from './run-under-agent.js';

describe('the floor-segments agent', () => {
  it('encodes three segments per request of the workload and sets the floor header', async () => {
    const agent = await start({ serviceName: 'bench', collector: '' });
    const result = await runWorkloadUnder(agent, 6);
    expect(result).toMatchObject({ requests: 6, errors: 0 });
    expect(agent.produced()).toBe(18);
    expect(agent.outgoingHeaders?.['x-floor']).toHaveLength(185);
  });

  it("encodes /a's segment as windsock reports it: entry with a caller, exit to /b, HTTP tags", () => {
    const segments = new SegmentsOfWorkload('bench');
    segments.serverRequest({ path: '/a', host: '127.0.0.1:8080', startTime: 1_000 }, 200, 1_002);
    const decoded = SegmentObject.decode(segments.lastFrame!);
    expect(decoded.service).toBe('bench');
    expect(decoded.traceId).not.toBe(decoded.traceSegmentId);
    const [entry, exit] = decoded.spans;
    expect(entry).toMatchObject({
      spanId: 0,
      parentSpanId: -1,
      operationName: 'GET:/a',
      spanType: SpanType.Entry,
      componentId: 49,
      startTime: 1_000,
      endTime: 1_002,
    });
    expect(entry!.refs[0]).toMatchObject({ parentService: 'bench', parentEndpoint: 'GET:/a' });
    expect(entry!.tags).toEqual([
      { key: 'http.method', value: 'GET' },
      { key: 'http.url', value: 'http://127.0.0.1:8080/a' },
      { key: 'http.status_code', value: '200' },
    ]);
    expect(exit).toMatchObject({
      spanId: 1,
      parentSpanId: 0,
      operationName: '/b',
      peer: '127.0.0.1:8080',
      spanType: SpanType.Exit,
      componentId: 2,
    });
    expect(decoded.spans).toHaveLength(2);
  });
});
