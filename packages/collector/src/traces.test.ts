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

describe('summarizeTraces', () => {
  it('merges the segments of a trace: services, spans, errors, duration, entry endpoint', () => {
    const summaries = summarizeTraces(
      [
        segment('t', {
          service: 'api',
          spans: [span(1, 0, 105, 150, true), span(0, -1, 100, 160)],
        }),
        segment('t', { service: 'db', spans: [span(0, -1, 110, 190)] }),
        segment('t', { service: 'api', spans: [] }),
      ],
      10,
    );
    expect(summaries).toEqual([
      {
        traceId: 't',
        services: ['api', 'db'],
        segments: 3,
        spans: 3,
        startTime: 100,
        durationMs: 90,
        errors: 1,
        endpoint: 'op0',
      },
    ]);
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

  it('reports a trace without spans with zero times', () => {
    expect(summarizeTraces([segment('empty', { spans: [] })], 5)[0]).toMatchObject({
      spans: 0,
      startTime: 0,
      durationMs: 0,
      endpoint: '',
    });
  });
});
