// Test support shared by the ioredis and node-redis tests (not part of the package's entry point).
import { createServer, get, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { type SegmentObject, type SpanObject, SpanType } from '@windsock/protocol';
import { expect, vi } from 'vitest';
import { tagOf, type TracingHarness } from '../../test/helpers/tracing.js';

export interface RequestResult<T> {
  /** What the handler returned, or the error it threw (as the application saw it). */
  outcome: { ok: true; value: T } | { ok: false; error: unknown };
  entry: SpanObject;
  segment: SegmentObject;
  /** The request's Cache exit spans (children of its entry span), in the order they started. */
  exits: SpanObject[];
}

/**
 * An HTTP server whose requests run test handlers: `run(fn)` makes one request, runs `fn` inside its handler (so
 * the request's entry span is active, as in an application), and returns the request's segment once reported.
 */
export class RequestRunner {
  private readonly handlers = new Map<string, () => Promise<unknown>>();
  private readonly outcomes = new Map<string, RequestResult<unknown>['outcome']>();
  private server: Server | undefined;
  private base = '';
  private next = 0;

  constructor(private readonly harness: TracingHarness) {}

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const id = req.url ?? '';
      const handler = this.handlers.get(id);
      if (handler === undefined) {
        res.statusCode = 404;
        res.end();
        return;
      }
      handler().then(
        (value) => {
          this.outcomes.set(id, { ok: true, value });
          res.end('ok');
        },
        (error: unknown) => {
          this.outcomes.set(id, { ok: false, error });
          res.statusCode = 500;
          res.end('failed');
        },
      );
    });
    const server = this.server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async run<T>(handler: () => Promise<T>): Promise<RequestResult<T>> {
    const id = `/run/${this.next++}`;
    this.handlers.set(id, handler);
    await new Promise<void>((resolve, reject) => {
      get(`${this.base}${id}`, (res) => {
        res.resume();
        res.on('end', resolve);
      }).on('error', reject);
    });
    this.handlers.delete(id);
    const outcome = this.outcomes.get(id) as RequestResult<T>['outcome'];
    this.outcomes.delete(id);
    const url = `${this.base}${id}`;
    const found = await vi.waitFor(() => {
      const matches = this.harness.sink.segments.flatMap((segment) =>
        segment.spans
          .filter((s) => s.spanType === SpanType.Entry && tagOf(s, 'http.url') === url)
          .map((span) => ({ segment, span })),
      );
      expect(matches).toHaveLength(1);
      return matches[0]!;
    });
    const exits = found.segment.spans.filter(
      (s) => s.spanType === SpanType.Exit && s.parentSpanId === found.span.spanId,
    );
    return { outcome, entry: found.span, segment: found.segment, exits };
  }
}

/** The fields of a span's error logs. */
export function errorLogs(span: SpanObject): Record<string, string>[] {
  return span.logs
    .map((log) => Object.fromEntries(log.data.map((d) => [d.key, d.value])))
    .filter((fields) => fields.event === 'error');
}

/** The application's error from a result that must have failed. */
export function failure(outcome: RequestResult<unknown>['outcome']): Error {
  if (outcome.ok) throw new Error(`expected a failure, got ${JSON.stringify(outcome.value)}`);
  if (!(outcome.error instanceof Error)) throw new Error(`not an Error: ${String(outcome.error)}`);
  return outcome.error;
}

/** The application's value from a result that must have succeeded. */
export function success<T>(outcome: RequestResult<T>['outcome']): T {
  if (!outcome.ok) throw outcome.error;
  return outcome.value;
}

/** Every Cache exit span reported, in any segment. */
export function redisSpans(harness: TracingHarness): SpanObject[] {
  return harness.sink.spans().filter((s) => s.operationName.startsWith('Redis/'));
}
