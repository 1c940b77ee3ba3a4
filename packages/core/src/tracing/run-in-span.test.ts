import { describe, expect, it } from 'vitest';
import { manualClock, tracerWithSink } from '../../test/helpers.js';
import { suppressTracing } from './context.js';
import { runInSpan } from './run-in-span.js';
import { NOOP_SPAN } from './span.js';

function errorKinds(logs: { data: { key: string; value: string }[] }[]): string[] {
  return logs.map((log) => log.data.find((kv) => kv.key === 'message')?.value ?? '');
}

describe('runInSpan', () => {
  it('returns the result of a synchronous function, its span active inside and ended at return', () => {
    const clock = manualClock();
    const { tracer, sink } = tracerWithSink({ now: clock.now });
    const span = tracer.startLocalSpan('price');
    const result = runInSpan(tracer, span, (inner) => {
      expect(inner).toBe(span);
      expect(tracer.activeSpan()).toBe(span);
      tracer.startLocalSpan('child').end();
      clock.advance(5);
      return { total: 42 };
    });
    expect(result).toEqual({ total: 42 });
    expect(tracer.activeSpan()).toBeUndefined();
    const [parent, child] = [sink.segments[0]!.spans[0]!, sink.segments[0]!.spans[1]!];
    expect(parent.operationName).toBe('price');
    expect(parent.endTime - parent.startTime).toBe(5);
    expect(child.parentSpanId).toBe(parent.spanId);
    expect(parent.isError).toBe(false);
  });

  it('rethrows the very error thrown, recorded on the span', () => {
    const { tracer, sink } = tracerWithSink();
    const thrown = new RangeError('quantity');
    let caught: unknown;
    try {
      runInSpan(tracer, tracer.startLocalSpan('validate'), () => {
        throw thrown;
      });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBe(thrown);
    const span = sink.segments[0]!.spans[0]!;
    expect(span.isError).toBe(true);
    expect(errorKinds(span.logs)).toEqual(['quantity']);
  });

  it('ends the span when a promise settles, passing its value through', async () => {
    const clock = manualClock();
    const { tracer, sink } = tracerWithSink({ now: clock.now });
    let release!: (value: string) => void;
    const pending = runInSpan(tracer, tracer.startLocalSpan('load'), async () => {
      const value = await new Promise<string>((resolve) => (release = resolve));
      tracer.startLocalSpan('after-await').end(); // still inside the span after an await
      return value;
    });
    expect(sink.segments).toHaveLength(0);
    clock.advance(30);
    release('loaded');
    await expect(pending).resolves.toBe('loaded');
    const spans = sink.segments[0]!.spans;
    const load = spans.find((s) => s.operationName === 'load')!;
    expect(load.endTime - load.startTime).toBe(30);
    expect(spans.find((s) => s.operationName === 'after-await')!.parentSpanId).toBe(load.spanId);
  });

  it('passes a rejection through with the same reason, recorded once on the span', async () => {
    const { tracer, sink } = tracerWithSink();
    const reason = new Error('timeout');
    const span = tracer.startLocalSpan('call');
    const pending = runInSpan(tracer, span, async (inner) => {
      await Promise.resolve();
      inner.error(reason); // as a library's instrumentation would, before the rejection propagates
      throw reason;
    });
    await expect(pending).rejects.toBe(reason);
    const data = sink.segments[0]!.spans[0]!;
    expect(data.isError).toBe(true);
    expect(errorKinds(data.logs)).toEqual(['timeout']);
  });

  it('leaves an unhandled rejection unhandled, with the original reason', async () => {
    const { tracer } = tracerWithSink();
    const reason = new Error('nobody awaits this');
    const seen = new Promise<unknown>((resolve) => process.once('unhandledRejection', resolve));
    void runInSpan(tracer, tracer.startLocalSpan('fire-and-forget'), () => Promise.reject(reason));
    expect(await seen).toBe(reason);
  });

  it('returns a thenable that is not a promise untouched and ends the span at once', () => {
    const { tracer, sink } = tracerWithSink();
    let subscribed = false;
    const lazy = {
      then(resolve: (value: number) => void) {
        subscribed = true;
        resolve(1);
      },
    };
    expect(runInSpan(tracer, tracer.startLocalSpan('query'), () => lazy)).toBe(lazy);
    expect(subscribed).toBe(false);
    expect(sink.segments).toHaveLength(1);
  });

  it('runs the function as it is with a no-op span, and where tracing is suppressed', () => {
    const { tracer, sink } = tracerWithSink();
    expect(runInSpan(tracer, NOOP_SPAN, (span) => span)).toBe(NOOP_SPAN);
    const inside = suppressTracing(() =>
      runInSpan(tracer, tracer.startLocalSpan('hidden'), (span) => span.traceId),
    );
    expect(inside).toBe('');
    expect(sink.segments).toHaveLength(0);
  });
});
