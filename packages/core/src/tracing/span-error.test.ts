import { type SpanObject } from '@windsock/protocol';
import { describe, expect, it } from 'vitest';
import { manualClock, tracerWithSink } from '../../test/helpers.js';
import { DEFAULT_MAX_ERROR_STACK_LENGTH } from './span.js';

function errorLog(span: SpanObject): Record<string, string> {
  expect(span.logs).toHaveLength(1);
  return Object.fromEntries(span.logs[0]!.data.map((kv) => [kv.key, kv.value]));
}

describe('span.error', () => {
  it("logs OAP's event, error.kind, message and stack at the span's clock", () => {
    const clock = manualClock();
    const { tracer, sink } = tracerWithSink({ now: clock.now });
    const span = tracer.startLocalSpan('charge');
    clock.advance(7);
    const err = new TypeError('card declined');
    span.error(err);
    span.end();
    const data = sink.segments[0]!.spans[0]!;
    expect(data.isError).toBe(true);
    expect(data.logs[0]!.time).toBe(clock.now());
    expect(errorLog(data)).toEqual({
      event: 'error',
      'error.kind': 'TypeError',
      message: 'card declined',
      stack: err.stack,
    });
  });

  it('logs once per span: a second error (the same one rethrown, or another) only keeps it failed', () => {
    const { tracer, sink } = tracerWithSink();
    const span = tracer.startLocalSpan('query');
    const first = new Error('connection reset');
    span.error(first).error(first).error(new Error('second'));
    span.end();
    const data = sink.segments[0]!.spans[0]!;
    expect(data.isError).toBe(true);
    expect(errorLog(data).message).toBe('connection reset');
  });

  it('caps the stack at maxErrorStackLength, independently of the tag value cap, and counts the cut', () => {
    const { tracer, sink } = tracerWithSink({ maxErrorStackLength: 300, maxTagValueLength: 64 });
    const span = tracer.startLocalSpan('deep');
    const err = new Error('m'.repeat(100));
    err.stack = `Error: ${'m'.repeat(100)}\n${'    at frame (file.js:1:1)\n'.repeat(50)}`;
    span.error(err);
    span.end();
    const logged = errorLog(sink.segments[0]!.spans[0]!);
    expect(logged.stack).toHaveLength(300);
    expect(err.stack.startsWith(logged.stack!)).toBe(true);
    expect(logged.message).toHaveLength(64); // the message is a value like any other
    expect(tracer.stats().valuesTruncated).toBe(2);
  });

  it('keeps a whole ordinary stack by default', () => {
    const { tracer, sink } = tracerWithSink();
    expect(tracer.maxErrorStackLength).toBe(DEFAULT_MAX_ERROR_STACK_LENGTH);
    const span = tracer.startLocalSpan('t');
    const err = new Error('boom');
    span.error(err);
    span.end();
    expect(errorLog(sink.segments[0]!.spans[0]!).stack).toBe(err.stack);
    expect(tracer.stats().valuesTruncated).toBe(0);
  });

  it("appends the causes' stacks (Caused by), stopping at a cycle", () => {
    const { tracer, sink } = tracerWithSink();
    const socket = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), {
      code: 'ECONNREFUSED',
    });
    const fetchFailed = new TypeError('fetch failed', { cause: socket });
    const outer = new Error('could not load prices', { cause: fetchFailed });
    (socket as { cause?: unknown }).cause = outer; // a cycle must not loop
    const span = tracer.startLocalSpan('prices');
    span.error(outer);
    span.end();
    const stack = errorLog(sink.segments[0]!.spans[0]!).stack!;
    expect(stack.startsWith(outer.stack!)).toBe(true);
    expect(stack).toContain(`\nCaused by: ${fetchFailed.stack}`);
    expect(stack).toContain(`\nCaused by: ${socket.stack}`);
    expect(stack.split('Caused by:')).toHaveLength(3);
  });

  it('records a non-Error cause and a non-Error thrown value as text', () => {
    const { tracer, sink } = tracerWithSink();
    const a = tracer.startLocalSpan('a');
    a.error(new Error('wrapped', { cause: { status: 503 } }));
    a.end();
    expect(errorLog(sink.segments[0]!.spans[0]!).stack).toContain('\nCaused by: {"status":503}');
    const b = tracer.startLocalSpan('b');
    b.error('plain string');
    b.end();
    expect(errorLog(sink.segments[1]!.spans[0]!)).toEqual({
      event: 'error',
      message: 'plain string',
    });
  });

  it('survives a hostile error object and records nothing on an unsampled span', () => {
    const { tracer, sink } = tracerWithSink();
    const hostile = new Error('hostile');
    Object.defineProperty(hostile, 'message', {
      get() {
        throw new Error('getter');
      },
    });
    const span = tracer.startLocalSpan('t');
    expect(() => span.error(hostile)).not.toThrow();
    span.end();
    expect(errorLog(sink.segments[0]!.spans[0]!)).toMatchObject({
      event: 'error',
      'error.kind': 'Error',
    });

    const unsampled = tracerWithSink({ sampleRate: 0 });
    const quiet = unsampled.tracer.startLocalSpan('t');
    quiet.error(new Error('nobody sees this'));
    quiet.end();
    expect(unsampled.sink.segments).toHaveLength(0);
  });
});
