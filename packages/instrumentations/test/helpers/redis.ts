// Test support shared by the ioredis and node-redis tests.
import { createServer, get, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { type SegmentObject, SpanLayer, type SpanObject, SpanType } from '@windsock/protocol';
import { expect, vi } from 'vitest';
import { type FixtureRun } from './fixture.js';
import { tagOf, tagsOf, type TracingHarness } from './tracing.js';

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

const COMPONENT_REDIS = 7;

/**
 * The first request of both suites (SET user:1, HSET profile:1, GET, HGET): Cache exit spans, children of the
 * request, with OAP's cache tags, and no value recorded.
 */
export function expectFourCommands(
  result: RequestResult<unknown>,
  peer: string,
  // node-redis ≥ 5.12 publishes HGET's key as `?`.
  hgetKey = 'profile:1',
): void {
  const { outcome, entry, exits } = result;
  expect(success(outcome)).toEqual(['secret-value', 'secret-name']);
  expect(exits.map((s) => s.operationName)).toEqual([
    'Redis/SET',
    'Redis/HSET',
    'Redis/GET',
    'Redis/HGET',
  ]);
  for (const span of exits) {
    expect(span).toMatchObject({
      spanType: SpanType.Exit,
      spanLayer: SpanLayer.Cache,
      componentId: COMPONENT_REDIS,
      peer,
      parentSpanId: entry.spanId,
      isError: false,
    });
  }
  expect(exits.map(tagsOf)).toEqual([
    { 'cache.type': 'Redis', 'cache.cmd': 'set', 'cache.op': 'write', 'cache.key': 'user:1' },
    { 'cache.type': 'Redis', 'cache.cmd': 'hset', 'cache.op': 'write', 'cache.key': 'profile:1' },
    { 'cache.type': 'Redis', 'cache.cmd': 'get', 'cache.op': 'read', 'cache.key': 'user:1' },
    { 'cache.type': 'Redis', 'cache.cmd': 'hget', 'cache.op': 'read', 'cache.key': hgetKey },
  ]);
  // Values are never recorded.
  expect(JSON.stringify(exits)).not.toMatch(/secret/);
}

/** 50 concurrent requests (SET, GET and INCR together, then GET and DEL batched): each has exactly its own spans. */
export function expectRequestsApart(results: readonly RequestResult<unknown>[]): void {
  expect(new Set(results.map((r) => r.segment.traceId)).size).toBe(results.length);
  for (const [i, { exits, entry }] of results.entries()) {
    expect(exits.map((s) => [s.operationName, tagsOf(s)['cache.key']]).sort()).toEqual(
      [
        ['Redis/SET', `c:${i}`],
        ['Redis/GET', `c:${i}`],
        ['Redis/INCR', `c:n:${i}`],
        ['Redis/GET', `c:${i}`],
        ['Redis/DEL', `c:n:${i}`],
      ].sort(),
    );
    expect(exits.every((s) => s.parentSpanId === entry.spanId)).toBe(true);
  }
}

/**
 * `get('outside')` outside any request starts a trace of its own; `get('suppressed')` in a suppressed context
 * records nothing.
 */
export async function expectOwnTraceOutsideRequests(
  harness: TracingHarness,
  outside: () => Promise<unknown>,
  suppressed: () => Promise<unknown>,
): Promise<void> {
  harness.sink.clear();
  await outside();
  await suppressed();
  const spans = await vi.waitFor(() => {
    const found = redisSpans(harness);
    expect(found).toHaveLength(1);
    return found;
  });
  expect(spans[0]).toMatchObject({ operationName: 'Redis/GET', parentSpanId: -1 });
  expect(tagsOf(spans[0]!)['cache.key']).toBe('outside');
}

/**
 * Inside a request, starts `blpop` (a blocking command that never returns), waits until `info` shows the server
 * holding it, then kills the server: what the command rejected with is the request's failure.
 */
export function blockedWhileServerStops(
  runner: RequestRunner,
  blpop: () => Promise<unknown>,
  info: () => Promise<string>,
  kill: () => Promise<void>,
): Promise<RequestResult<unknown>> {
  return runner.run(async () => {
    // Settled into a value at once: the rejection arrives while the server is being stopped.
    const blocked = blpop().then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
    await vi.waitFor(async () => {
      expect(await info()).toMatch(/blocked_clients:1/);
    });
    await kill();
    const result = await blocked;
    if ('error' in result) throw result.error;
    return result.value;
  });
}

/** The fixture app's request (SET, GET, MULTI against `peer`), as it reported it. */
export function expectFixtureCommands(run: FixtureRun, peer: string): void {
  expect(run.code, run.stderr).toBe(0);
  expect(run.diagnostics).toEqual([]);
  const segment = run.segments.find((s) => s.spans.some((sp) => sp.spanType === SpanType.Entry));
  expect(segment).toBeDefined();
  const entry = segment!.spans.find((s) => s.spanType === SpanType.Entry)!;
  const exits = segment!.spans.filter((s) => s.parentSpanId === entry.spanId);
  expect(exits.map((s) => [s.operationName, s.peer, tagsOf(s)['cache.op']])).toEqual([
    ['Redis/SET', peer, 'write'],
    ['Redis/GET', peer, 'read'],
    ['Redis/MULTI', peer, 'write'],
  ]);
  expect(run.stdout).toContain('fixture done');
}
