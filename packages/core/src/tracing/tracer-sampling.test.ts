// The sample rate, the incoming sample flag, and what an unsampled trace still propagates.
import { decodeSw8, decodeSw8Trace, encodeSw8 } from '@windsock/protocol';
import { describe, expect, it } from 'vitest';
import { CALLER as caller, tracerWithSink } from '../../test/helpers.js';
import { type SpanRecord } from './span.js';

describe('Tracer: sampling', () => {
  it('propagates unsampled traces with sample=0 and reports nothing for them', () => {
    const { tracer, sink } = tracerWithSink({ sampleRate: 0 });
    const entry = tracer.startEntrySpan('GET:/');
    const headers: Record<string, string> = {};
    tracer.withSpan(entry, () => {
      expect(tracer.activeContext()).toBeUndefined();
      tracer.startExitSpan('/b', 'b:1', { headers }).end();
    });
    entry.end();
    expect(entry.sampled).toBe(false);
    expect(decodeSw8(headers.sw8)).toMatchObject({ sample: false, traceId: entry.traceId });
    expect(sink.segments).toHaveLength(0);
    expect(tracer.stats().segmentsUnsampled).toBe(1);
  });

  it('keeps no spans, times or segment id for an unsampled segment until an id is asked for', () => {
    const { tracer } = tracerWithSink({ sampleRate: 0 });
    const local = tracer.startLocalSpan('job') as SpanRecord;
    tracer.withSpan(local, () => local.setOperationName('job:renamed'));
    const data = local.segment.data;
    expect(data.spans).toHaveLength(0);
    expect(data.traceSegmentId).toBe('');
    expect(local.data.startTime).toBe(0);
    // Asked for (by sw8 or a caller), the id is made once and kept.
    const id = local.segmentId;
    expect(id).toMatch(/\S/);
    expect(local.segmentId).toBe(id);
    const headers: Record<string, string> = {};
    tracer.withSpan(local, () => tracer.startExitSpan('/b', 'b:1', { headers }).end());
    local.end();
    expect(decodeSw8(headers.sw8)).toMatchObject({
      sample: false,
      parentSegmentId: id,
      parentSpanId: 1,
      parentEndpoint: 'job:renamed',
    });
    expect(local.data.endTime).toBe(0);
  });

  it('honours the incoming sample flag over the local rate', () => {
    const { tracer, sink } = tracerWithSink({ sampleRate: 0 });
    tracer.startEntrySpan('a', { headers: { sw8: encodeSw8(caller) } }).end();
    const always = tracerWithSink({ sampleRate: 1 });
    always.tracer
      .startEntrySpan('b', { headers: { sw8: encodeSw8({ ...caller, sample: false }) } })
      .end();
    expect(sink.segments).toHaveLength(1);
    expect(always.sink.segments).toHaveLength(0);
  });

  it('continues an unsampled incoming trace: same trace id, sample 0 on, a span id for each call', () => {
    const { tracer, sink } = tracerWithSink({ sampleRate: 1 });
    const entry = tracer.startEntrySpan('GET:/b', {
      headers: { sw8: encodeSw8({ ...caller, sample: false }) },
    });
    const headers: Record<string, string> = {};
    tracer.withSpan(entry, () => tracer.startExitSpan('/c', 'c:1', { headers }).end());
    entry.end();
    expect(entry.sampled).toBe(false);
    expect(decodeSw8(headers.sw8)).toEqual({
      sample: false,
      traceId: caller.traceId,
      parentSegmentId: entry.segmentId,
      parentSpanId: 1,
      parentService: 'svc',
      parentServiceInstance: 'inst',
      parentEndpoint: 'GET:/b',
      addressUsedAtClient: 'c:1',
    });
    expect(sink.segments).toHaveLength(0);
  });

  it("sends an unsampled caller's trace id on as it came, decoding it only when asked", () => {
    const { tracer } = tracerWithSink({ sampleRate: 1 });
    // Bytes that are not UTF-8, without padding: decoding and encoding again would change the id.
    const field = Buffer.from([0x74, 0xff, 0x31, 0x80]).toString('base64');
    const unpadded = field.replace(/=+$/, '');
    const caller = `0-${unpadded}-czE-3-c3Zj-aW5zdA-ZW5kcG9pbnQ-cGVlcg==`;
    const entry = tracer.startEntrySpan('GET:/b', { headers: { sw8: caller } }) as SpanRecord;
    expect(entry.segment.data.traceId).toBe('');
    const headers: Record<string, string> = {};
    tracer.withSpan(entry, () => tracer.startExitSpan('/c', 'c:1', { headers }).end());
    // Sent on spelled canonically, with the same bytes.
    expect(headers.sw8!.split('-')[1]).toBe(field);
    expect(entry.segment.data.traceId).toBe('');
    expect(entry.traceId).toBe(decodeSw8Trace(caller)!.traceId);
    entry.end();

    const malformed = `0-${unpadded}!-czE-3-c3Zj-aW5zdA-ZW5kcG9pbnQ-cGVlcg==`;
    const fresh = tracer.startEntrySpan('GET:/b', { headers: { sw8: malformed } });
    expect(fresh.traceId).not.toBe(entry.traceId);
    expect(fresh.sampled).toBe(true);
    expect(tracer.stats().malformedHeaders).toBe(1);
    fresh.end();
  });

  it('sends the endpoint as it is named when each call goes out, through renames', () => {
    const { tracer } = tracerWithSink();
    const entry = tracer.startEntrySpan('GET:/orders/42');
    const endpoints: string[] = [];
    tracer.withSpan(entry, () => {
      for (const name of [undefined, 'GET:/orders/:id', undefined, 'GET:/orders/{id}']) {
        if (name !== undefined) entry.setOperationName(name);
        const headers: Record<string, string> = {};
        tracer.startExitSpan('/stock', 'stock:80', { headers }).end();
        endpoints.push(decodeSw8(headers.sw8)!.parentEndpoint);
      }
    });
    entry.end();
    expect(endpoints).toEqual([
      'GET:/orders/42',
      'GET:/orders/:id',
      'GET:/orders/:id',
      'GET:/orders/{id}',
    ]);
  });

  it('applies a rate changed at run time to new traces', () => {
    let draw = 0.5;
    const { tracer, sink } = tracerWithSink({ sampleRate: 1, random: () => draw });
    tracer.startLocalSpan('kept').end();
    tracer.setSampleRate(0.4);
    tracer.startLocalSpan('dropped').end();
    draw = 0.1;
    tracer.startLocalSpan('kept again').end();
    expect(tracer.sampleRate).toBe(0.4);
    expect(sink.segments.map((s) => s.spans[0]!.operationName)).toEqual(['kept', 'kept again']);
  });
});
