// Checks shared by the database instrumentation tests (pg, mysql2).
import { SpanLayer, type SpanObject, SpanType } from '@windsock/protocol';
import { expect, vi } from 'vitest';
import { type HttpProbe, type RequestTrace } from './http-probe.js';
import { type FixtureRun } from './fixture.js';
import { tagOf } from './tracing.js';

export interface Database {
  componentId: number;
  /** OAP's `db.type`. */
  dbType: string;
  /** `host:port` of the test server; read when checking, so it can be set in `beforeAll`. */
  peer: () => string;
}

/** What OAP needs of a database exit span under `parent`: returns the span, asserted to exist. */
export function expectDbSpan(
  database: Database,
  span: SpanObject | undefined,
  parent: SpanObject,
  operation: string,
): SpanObject {
  expect(span).toBeDefined();
  expect(span).toMatchObject({
    operationName: operation,
    spanType: SpanType.Exit,
    spanLayer: SpanLayer.Database,
    componentId: database.componentId,
    peer: database.peer(),
    parentSpanId: parent.spanId,
  });
  expect(tagOf(span!, 'db.type')).toBe(database.dbType);
  expect(tagOf(span!, 'db.instance')).toBe('windsock');
  return span!;
}

/** `count` requests at once, request `i` running `work(i)`: the traces in request order. */
export async function concurrentRequests(
  probe: HttpProbe,
  count: number,
  work: (i: number) => Promise<unknown>,
): Promise<RequestTrace<unknown>[]> {
  const paths = Array.from({ length: count }, (_, i) =>
    probe.route(`concurrent-${i}`, () => work(i)),
  );
  return Promise.all(paths.map((path) => probe.request(path)));
}

type Callback = (error: Error | null) => void;

/** Two queries through a callback API, the second started from the first one's callback. */
export function callbackChain(
  first: (callback: Callback) => void,
  second: (callback: Callback) => void,
): Promise<void> {
  return new Promise<void>((resolve, reject) =>
    first((error) => {
      if (error) return reject(error);
      second((error2) => (error2 ? reject(error2) : resolve()));
    }),
  );
}

/**
 * Stops the server (`stop`) once `running()` sees the request's query on it, and returns the request's trace: the
 * application got an error, and the query's span (`operation`) under the request is an error with `peer`.
 */
export async function stopServerUnderQuery(
  response: Promise<RequestTrace<unknown>>,
  running: () => Promise<boolean>,
  stop: () => Promise<void>,
  operation: string,
  peer: string,
): Promise<SpanObject> {
  await vi.waitFor(
    async () => {
      if (!(await running())) throw new Error('not running yet');
    },
    { timeout: 10_000, interval: 50 },
  );
  await stop();
  const trace = await response;
  expect(trace.outcome.error).toBeInstanceOf(Error);
  const span = trace.children.find((s) => s.operationName === operation)!;
  expect(span).toMatchObject({ peer, parentSpanId: trace.entry.spanId, isError: true });
  return span;
}

/** The spans under the fixture app's `GET:/work` request, once the run is checked clean. */
export function workChildren(run: FixtureRun): SpanObject[] {
  expect(run.code, run.stderr).toBe(0);
  expect(run.diagnostics).toEqual([]);
  const entry = run.segments
    .flatMap((s) => s.spans.map((span) => ({ segment: s, span })))
    .find(({ span }) => span.operationName === 'GET:/work');
  expect(entry).toBeDefined();
  return entry!.segment.spans.filter((s) => s.parentSpanId === entry!.span.spanId);
}
