import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { SpanType, type SegmentObject, type SpanObject } from '@windsock/protocol';
import { vi } from 'vitest';
import { type RecordingSink } from './tracing.js';

/** What one traced request looked like: its segment, its entry span and the other spans of that segment. */
export interface RequestTrace<T> {
  segment: SegmentObject;
  entry: SpanObject;
  /** Every other span of the request's segment, in the order they started. */
  children: SpanObject[];
  /** What the route's work returned (or threw), as the application saw it. */
  outcome: { value?: T; error?: unknown };
}

/**
 * Test support for the database instrumentations: an HTTP server (traced by the tracer's HTTP instrumentation)
 * whose routes run a piece of database work inside the request, so the spans it makes can be checked against the
 * request's entry span.
 */
export class HttpProbe {
  private server: Server | undefined;
  private next = 0;
  private readonly routes = new Map<string, () => Promise<unknown>>();
  private readonly outcomes = new Map<string, { value?: unknown; error?: unknown }>();

  constructor(private readonly sink: RecordingSink) {}

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const path = req.url ?? '';
      const work = this.routes.get(path);
      if (work === undefined) {
        res.statusCode = 404;
        res.end();
        return;
      }
      work().then(
        (value) => {
          this.outcomes.set(path, { value });
          res.end('ok');
        },
        (error: unknown) => {
          this.outcomes.set(path, { error });
          res.statusCode = 500;
          res.end('failed');
        },
      );
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** A new route running `work` (a fresh path, so each call's segment is told apart by its entry span). */
  route<T>(name: string, work: () => Promise<T>): string {
    const path = `/${name}/${this.next++}`;
    this.routes.set(path, work);
    return path;
  }

  /** Requests `path` and resolves once the request's segment has been reported. */
  async request<T>(path: string): Promise<RequestTrace<T>> {
    const { port } = this.server!.address() as AddressInfo;
    const response = await fetch(`http://127.0.0.1:${port}${path}`);
    await response.text();
    return vi.waitFor(() => this.traceOf<T>(path), { timeout: 10_000, interval: 20 });
  }

  /** Runs `work` inside a request and returns its trace. */
  async run<T>(name: string, work: () => Promise<T>): Promise<RequestTrace<T>> {
    return this.request<T>(this.route(name, work));
  }

  /** The trace of a request already made; throws while its segment is not reported yet. */
  traceOf<T>(path: string): RequestTrace<T> {
    const operation = `GET:${path}`;
    for (const segment of this.sink.segments) {
      const entry = segment.spans.find(
        (s) => s.spanType === SpanType.Entry && s.operationName === operation,
      );
      if (entry === undefined) continue;
      const children = segment.spans.filter((s) => s !== entry).sort((a, b) => a.spanId - b.spanId);
      const outcome = (this.outcomes.get(path) ?? {}) as { value?: T; error?: unknown };
      return { segment, entry, children, outcome };
    }
    throw new Error(`no segment for ${operation} yet`);
  }
}

/** The text of every log field of a span (`message`, `stack`, `error.kind`), for searching. */
export function logText(span: SpanObject): string {
  return span.logs.flatMap((log) => log.data.map((d) => `${d.key}=${d.value}`)).join('\n');
}

/** Everything a span would send, as one string: for asserting that a secret appears nowhere. */
export function spanText(span: SpanObject): string {
  return JSON.stringify(span);
}
