// Checks shared by the web framework tests (Koa, Fastify): the same app behaviour, each framework's own routes.
import { once } from 'node:events';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { type SegmentObject, type SpanObject, SpanType } from '@windsock/protocol';
import { expect } from 'vitest';
import { type FixtureRun } from './fixture.js';
import { entrySpans, served, tagOf, type TracingHarness } from './tracing.js';
import { get } from './http.js';

/**
 * The two sides of a request the client aborts: the route's handler calls `hold(response)`, which returns once the
 * client went away; the test calls `abort(url)`, which returns once the handler saw the close. `finished` settles
 * when the handler has carried on to its end.
 */
export class HangingRequest {
  private started: () => void = () => {};
  private closed: Promise<unknown> = Promise.resolve();
  private done: () => void = () => {};
  finished: Promise<void> = Promise.resolve();

  async hold(response: ServerResponse): Promise<void> {
    this.closed = once(response, 'close');
    this.started();
    await this.closed;
  }

  /** Called by the handler after its work that follows the abort. */
  end(): void {
    this.done();
  }

  async abort(url: string): Promise<void> {
    const started = new Promise<void>((resolve) => {
      this.started = resolve;
    });
    this.finished = new Promise<void>((resolve) => {
      this.done = resolve;
    });
    const request = http.get(url);
    request.on('error', () => {
      // The abort is the point.
    });
    request.on('response', (response: IncomingMessage) => response.resume());
    await started;
    request.destroy();
    await this.closed;
  }
}

/**
 * The fetch a handler awaits (`proxyPath` answered from `remotePath` of a downstream server) is an exit span child
 * of the entry span named `template`, and the downstream entry span continues the trace with it as parent endpoint.
 */
export async function expectFetchUnderRoute(
  harness: TracingHarness,
  base: string,
  proxy: { path: string; remotePath: string; body: string; template: string },
): Promise<void> {
  expect(await get(`${base}${proxy.path}`)).toEqual({ status: 200, body: proxy.body });
  const { segment, entry } = await served(harness, proxy.path);
  expect(entry.operationName).toBe(proxy.template);
  const exit = segment.spans.find((s) => s.spanType === SpanType.Exit);
  expect(exit).toMatchObject({ parentSpanId: entry.spanId, componentId: 2 });
  // The downstream server's own entry span continues the trace: its reference names the route, not the raw path.
  const { segment: remote } = await served(harness, proxy.remotePath);
  expect(remote.traceId).toBe(segment.traceId);
  expect(remote.spans[0]!.refs[0]).toMatchObject({
    parentTraceSegmentId: segment.traceSegmentId,
    parentSpanId: exit!.spanId,
    parentEndpoint: proxy.template,
  });
}

/** A streamed response (`chunk 0..2`) is named by its route and its span ends once, not as an error. */
export async function expectStreamedOnce(
  harness: TracingHarness,
  base: string,
  path: string,
  template: string,
): Promise<void> {
  expect(await get(`${base}${path}`)).toEqual({
    status: 200,
    body: 'chunk 0\nchunk 1\nchunk 2\n',
  });
  const { segment, entry } = await served(harness, path);
  expect(entrySpans(segment)).toHaveLength(1);
  expect(entry).toMatchObject({ operationName: template, isError: false });
  expect(tagOf(entry, 'http.status_code')).toBe('200');
}

/** The aborted request's entry span: one, named by its route, an error with an `aborted` log. */
export function expectAborted(segment: SegmentObject, entry: SpanObject, template: string): void {
  expect(entrySpans(segment)).toHaveLength(1);
  expect(entry).toMatchObject({ operationName: template, isError: true });
  expect(entry.logs.flatMap((l) => l.data)).toContainEqual({ key: 'event', value: 'aborted' });
}

/** Nothing the handler did after the abort reported the request again. */
export function expectReportedOnce(harness: TracingHarness, segment: SegmentObject): void {
  const reported = harness.sink.segments.filter(
    (s) => s.traceId === segment.traceId && entrySpans(s).length > 0,
  );
  expect(reported).toHaveLength(1);
}

/** The entry spans of a fixture run (of one component, if given), and a lookup of the one that served a path. */
export function fixtureEntries(
  run: FixtureRun,
  componentId?: number,
): { entries: SpanObject[]; byPath: (path: string) => SpanObject } {
  const entries = run.segments.flatMap((s) =>
    s.spans.filter(
      (span) =>
        span.spanType === SpanType.Entry &&
        (componentId === undefined || span.componentId === componentId),
    ),
  );
  return {
    entries,
    byPath: (path) => {
      const found = entries.filter((e) => tagOf(e, 'http.url')?.endsWith(path));
      expect(found, path).toHaveLength(1);
      return found[0]!;
    },
  };
}

/** The routes both framework fixtures (`test/fixtures/{koa,fastify}/app.*`) serve, named as each must be. */
export function expectFixtureRoutes(byPath: (path: string) => SpanObject): void {
  expect(byPath('/users/42').operationName).toBe('GET:/users/:id');
  expect(byPath('/api/items/7').operationName).toBe('GET:/api/items/:itemId');
  expect(byPath('/missing/123').operationName).toBe('GET:/<unmatched>');
  expect(byPath('/boom')).toMatchObject({ operationName: 'GET:/boom', isError: true });
  expect(byPath('/boom').logs).toHaveLength(1);
  expect(byPath('/async-boom/1')).toMatchObject({
    operationName: 'GET:/async-boom/:id',
    isError: true,
  });
  expect(byPath('/slow/1').operationName).toBe('GET:/slow/:id');
  expect(byPath('/stream/1').operationName).toBe('GET:/stream/:id');
  expect(byPath('/hang/1')).toMatchObject({ operationName: 'GET:/hang/:id', isError: true });
  const proxy = byPath('/proxy/pears');
  expect(proxy.operationName).toBe('GET:/proxy/:name');
}
