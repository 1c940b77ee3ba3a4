import http from 'node:http';
import type { Socket } from 'node:net';
import {
  decodeSw8,
  encodeSw8,
  RefType,
  type SegmentObject,
  SpanLayer,
  SpanType,
  unsampledTraceIdField,
} from '@windsock/protocol';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { suppressTracing } from '../src/index.js';
import {
  hasCreatedChannel,
  httpGet,
  type RunningServer,
  startServer,
  tracerWithSink,
  WAIT,
} from './helpers.js';

const { tracer, sink } = tracerWithSink({
  ignorePaths: ['/health', '/static/**'],
  ignoreMethods: ['OPTIONS'],
});

const servers: RunningServer[] = [];
async function serve(handler: http.RequestListener): Promise<RunningServer> {
  const running = await startServer(handler);
  servers.push(running);
  return running;
}

beforeAll(() => tracer.enableHttpInstrumentation());
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
  sink.segments.length = 0;
});
afterAll(() => tracer.disable());

async function segments(count: number): Promise<SegmentObject[]> {
  await vi.waitFor(() => expect(sink.segments.length).toBeGreaterThanOrEqual(count), WAIT);
  // Give a wrongly produced extra segment the chance to show up before asserting the exact count.
  await new Promise((resolve) => setTimeout(resolve, 20));
  expect(sink.segments).toHaveLength(count);
  return [...sink.segments];
}

function byOperation(all: SegmentObject[], operation: string): SegmentObject {
  const found = all.find((s) => s.spans[0]!.operationName === operation);
  if (found === undefined) throw new Error(`no segment starting with ${operation}`);
  return found;
}

function tags(span: { tags: { key: string; value: string }[] }): Record<string, string> {
  return Object.fromEntries(span.tags.map((t) => [t.key, t.value]));
}

describe('HTTP server', () => {
  it('records an entry span per request, active in the handler', async () => {
    let inHandler: ReturnType<typeof tracer.activeContext>;
    const b = await serve((_req, res) => {
      inHandler = tracer.activeContext();
      res.end('ok');
    });
    const outside = await suppressTracing(() => httpGet(`${b.url}/hello/world?secret=1`));
    expect(outside.status).toBe(200);
    const [segment] = await segments(1);
    const entry = segment!.spans[0]!;
    expect(entry).toMatchObject({
      spanId: 0,
      parentSpanId: -1,
      spanType: SpanType.Entry,
      spanLayer: SpanLayer.Http,
      componentId: 49,
      operationName: 'GET:/hello/world',
      isError: false,
      refs: [],
    });
    expect(tags(entry)).toEqual({
      'http.method': 'GET',
      'http.url': `http://127.0.0.1:${b.port}/hello/world`,
      'http.status_code': '200',
    });
    expect(entry.endTime).toBeGreaterThanOrEqual(entry.startTime);
    expect(inHandler).toEqual({
      traceId: segment!.traceId,
      segmentId: segment!.traceSegmentId,
      spanId: 0,
    });
  });

  it('marks 5xx responses as errors but not 4xx', async () => {
    const b = await serve((req, res) => {
      res.statusCode = req.url === '/fail' ? 503 : 404;
      res.end();
    });
    await suppressTracing(() =>
      Promise.all([httpGet(`${b.url}/fail`), httpGet(`${b.url}/missing`)]),
    );
    const all = await segments(2);
    expect(byOperation(all, 'GET:/fail').spans[0]!.isError).toBe(true);
    expect(byOperation(all, 'GET:/missing').spans[0]!.isError).toBe(false);
    expect(tags(byOperation(all, 'GET:/fail').spans[0]!)['http.status_code']).toBe('503');
  });

  it('ends the span when the client aborts before the response', async () => {
    let aborted!: () => void;
    const closed = new Promise<void>((resolve) => (aborted = resolve));
    const b = await serve((_req, res) => {
      res.on('close', () => aborted());
    });
    suppressTracing(() => {
      const req = http.get(`${b.url}/hang`);
      req.on('error', () => {});
      setTimeout(() => req.destroy(), 20);
    });
    await closed;
    const [segment] = await segments(1);
    const span = segment!.spans[0]!;
    expect(span.logs[0]!.data).toContainEqual({ key: 'event', value: 'aborted' });
    // No answer was sent: an error, and no status code (Node's default 200 was never received by anyone).
    expect(span.isError).toBe(true);
    expect(tags(span)).not.toHaveProperty('http.status_code');
  });

  it('skips ignored paths and methods, and traces nothing they call', async () => {
    const target = await serve((_req, res) => res.end());
    let seenInIgnored: unknown = 'unset';
    const b = await serve((_req, res) => {
      seenInIgnored = tracer.activeContext();
      httpGet(`${target.url}/from-ignored`).then(
        () => res.end(),
        () => res.end(),
      );
    });
    await suppressTracing(async () => {
      await httpGet(`${b.url}/health`);
      await httpGet(`${b.url}/static/js/app.js?v=1`);
      await new Promise<void>((resolve) =>
        http
          .request(`${b.url}/any`, { method: 'OPTIONS' }, (res) => res.resume().on('end', resolve))
          .end(),
      );
    });
    expect(seenInIgnored).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 30));
    // Only the target's own entry spans: the ignored handlers' calls carried no context and no exit span.
    const all = sink.segments;
    expect(all.every((s) => s.spans[0]!.operationName === 'GET:/from-ignored')).toBe(true);
    expect(all.every((s) => s.spans[0]!.refs.length === 0)).toBe(true);
    expect(tracer.stats().requestsIgnored).toBeGreaterThanOrEqual(3);
  });

  it('does not leak a request context into the next request on a keep-alive socket', async () => {
    const seen: unknown[] = [];
    const b = await serve((_req, res) => {
      seen.push(tracer.activeContext()?.traceId);
      res.end();
    });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      await suppressTracing(async () => {
        await httpGet(`${b.url}/first`, { agent });
        await httpGet(`${b.url}/health`, { agent });
        await httpGet(`${b.url}/third`, { agent });
      });
    } finally {
      agent.destroy();
    }
    expect(seen[0]).toEqual(expect.any(String));
    expect(seen[1]).toBeUndefined();
    expect(seen[2]).toEqual(expect.any(String));
    expect(seen[2]).not.toBe(seen[0]);
  });

  it('keeps 200 concurrent requests in separate contexts', async () => {
    const b = await serve((req, res) => {
      // Yield across timers and promises so the requests interleave before answering.
      setTimeout(
        () => {
          void Promise.resolve().then(() => res.end(tracer.activeContext()?.traceId ?? 'none'));
        },
        Math.floor(Math.random() * 5),
      );
    });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 20 });
    try {
      const responses = await suppressTracing(() =>
        Promise.all(
          Array.from({ length: 200 }, (_, i) => {
            const sw8 = encodeSw8({
              sample: true,
              traceId: `trace-${i}`,
              parentSegmentId: `seg-${i}`,
              parentSpanId: 0,
              parentService: 'load',
              parentServiceInstance: 'load-1',
              parentEndpoint: 'load',
              addressUsedAtClient: `127.0.0.1:${b.port}`,
            });
            return httpGet(`${b.url}/c/${i}`, { agent, headers: { sw8 } }).then(
              (r) => [i, r.body] as const,
            );
          }),
        ),
      );
      for (const [i, body] of responses) expect(body).toBe(`trace-${i}`);
      const all = await segments(200);
      for (const segment of all) {
        const i = segment.spans[0]!.operationName.slice('GET:/c/'.length);
        expect(segment.traceId).toBe(`trace-${i}`);
      }
    } finally {
      agent.destroy();
    }
  });

  it('reads sw8 as request.headers has it: any name case, repeated values joined', async () => {
    let seenByHandler: unknown;
    const b = await serve((req, res) => {
      seenByHandler = req.headers.sw8;
      res.end('ok');
    });
    const caller = {
      sample: true,
      traceId: 'upper.case.trace',
      parentSegmentId: 'caller.segment',
      parentSpanId: 2,
      parentService: 'caller',
      parentServiceInstance: 'caller-1',
      parentEndpoint: 'GET:/from',
      addressUsedAtClient: `127.0.0.1:${b.port}`,
    };
    // Array headers go out as written: a capitalised name. Then the same header twice.
    await suppressTracing(() => httpGet(`${b.url}/upper`, { headers: ['SW8', encodeSw8(caller)] }));
    const [upper] = await segments(1);
    expect(upper!.traceId).toBe(caller.traceId);
    expect(upper!.spans[0]!.refs[0]).toMatchObject({ parentTraceSegmentId: 'caller.segment' });
    sink.segments.length = 0;

    const malformedBefore = tracer.stats().malformedHeaders;
    const twice = { Sw8: [encodeSw8(caller), encodeSw8(caller)] };
    await suppressTracing(() => httpGet(`${b.url}/twice`, { headers: twice }));
    const [joined] = await segments(1);
    // Node joins the two values with ', ', which is not a valid sw8: a new trace, counted as malformed.
    expect(seenByHandler).toBe(`${encodeSw8(caller)}, ${encodeSw8(caller)}`);
    expect(decodeSw8(seenByHandler as string)).toBeUndefined();
    expect(joined!.traceId).not.toBe(caller.traceId);
    expect(joined!.spans[0]!.refs).toEqual([]);
    expect(tracer.stats().malformedHeaders).toBe(malformedBefore + 1);
  });

  it('ignores fuzzed malformed sw8 headers on real requests', async () => {
    const b = await serve((_req, res) => res.end('ok'));
    const agent = new http.Agent({ keepAlive: true });
    const headerSafe = /^[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?$/;
    const sw8Like = fc.oneof(
      fc.string({ maxLength: 80 }),
      fc
        .array(fc.string({ maxLength: 12 }), { minLength: 1, maxLength: 10 })
        .map((parts) => parts.join('-')),
      fc
        .tuple(
          fc.constantFrom('0', '1', '2', ''),
          fc.array(fc.base64String({ maxLength: 12 }), { minLength: 6, maxLength: 8 }),
        )
        .map(([flag, parts]) => [flag, ...parts].join('-')),
    );
    try {
      await fc.assert(
        fc.asyncProperty(
          sw8Like.filter((v) => headerSafe.test(v)),
          async (sw8) => {
            sink.segments.length = 0;
            const unsampledBefore = tracer.stats().segmentsUnsampled;
            const response = await suppressTracing(() =>
              httpGet(`${b.url}/fuzz`, { agent, headers: { sw8 } }),
            );
            expect(response).toEqual({ status: 200, body: 'ok' });
            // A caller that did not sample is followed on its flag and trace id alone: nothing is recorded.
            if (unsampledTraceIdField(sw8) !== undefined) {
              await vi.waitFor(
                () => expect(tracer.stats().segmentsUnsampled).toBe(unsampledBefore + 1),
                WAIT,
              );
              expect(sink.segments).toHaveLength(0);
              return;
            }
            await vi.waitFor(() => expect(sink.segments).toHaveLength(1), WAIT);
            const refs = sink.segments[0]!.spans[0]!.refs;
            expect(refs).toHaveLength(decodeSw8(sw8) === undefined ? 0 : 1);
          },
        ),
        { numRuns: 150 },
      );
    } finally {
      agent.destroy();
    }
    expect(tracer.stats().malformedHeaders).toBeGreaterThan(0);
  });
});

describe('HTTP client and fetch', () => {
  /** Service A (`/a`) calls service B with `call`; returns both segments once reported. */
  async function aCallsB(call: (bUrl: string) => Promise<unknown>) {
    const b = await serve((_req, res) => res.end('from b'));
    const a = await serve((_req, res) => {
      call(`${b.url}/b?q=1`).then(
        () => res.end('from a'),
        () => res.end('a failed'),
      );
    });
    await suppressTracing(() => httpGet(`${a.url}/a`));
    const all = await segments(2);
    return { b, segmentA: byOperation(all, 'GET:/a'), segmentB: byOperation(all, 'GET:/b') };
  }

  function expectLinked(segmentA: SegmentObject, segmentB: SegmentObject, bPort: number) {
    const exit = segmentA.spans[1]!;
    expect(exit).toMatchObject({
      spanId: 1,
      parentSpanId: 0,
      spanType: SpanType.Exit,
      spanLayer: SpanLayer.Http,
      componentId: 2,
      peer: `127.0.0.1:${bPort}`,
      operationName: '/b',
      isError: false,
    });
    expect(tags(exit)).toEqual({
      'http.method': 'GET',
      'http.url': `http://127.0.0.1:${bPort}/b`,
      'http.status_code': '200',
    });
    expect(segmentB.traceId).toBe(segmentA.traceId);
    expect(segmentB.spans[0]!.refs).toEqual([
      {
        refType: RefType.CrossProcess,
        traceId: segmentA.traceId,
        parentTraceSegmentId: segmentA.traceSegmentId,
        parentSpanId: 1,
        parentService: 'svc',
        parentServiceInstance: 'inst',
        parentEndpoint: 'GET:/a',
        networkAddressUsedAtPeer: `127.0.0.1:${bPort}`,
      },
    ]);
  }

  it('links A -> B over http.get into two segments of one trace', async () => {
    const { b, segmentA, segmentB } = await aCallsB((url) => httpGet(url));
    expectLinked(segmentA, segmentB, b.port);
  });

  it('links A -> B over http.request with a deferred end()', async () => {
    const { b, segmentA, segmentB } = await aCallsB(
      (url) =>
        new Promise((resolve, reject) => {
          const req = http.request(url, { method: 'GET' }, (res) =>
            res.resume().on('end', resolve),
          );
          req.on('error', reject);
          setTimeout(() => req.end(), 5);
        }),
    );
    expectLinked(segmentA, segmentB, b.port);
  });

  it('propagates an unsampled trace over http.get and fetch with sample 0, reporting nothing', async () => {
    tracer.setSampleRate(0);
    try {
      for (const call of [httpGet, (url: string) => fetch(url).then((r) => r.text())]) {
        const unsampledBefore = tracer.stats().segmentsUnsampled;
        let received: string | undefined;
        const b = await serve((req, res) => {
          received = req.headers.sw8 as string | undefined;
          res.end('from b');
        });
        let traceIdOfA: string | undefined;
        const a = await serve((_req, res) => {
          traceIdOfA = tracer.activeSpan()?.traceId;
          call(`${b.url}/b`).then(
            () => res.end('from a'),
            () => res.end('a failed'),
          );
        });
        await suppressTracing(() => httpGet(`${a.url}/a`));
        // A's segment and B's both end unsampled; neither reaches the sink.
        await vi.waitFor(
          () => expect(tracer.stats().segmentsUnsampled).toBe(unsampledBefore + 2),
          WAIT,
        );
        expect(traceIdOfA).toBeTruthy();
        expect(decodeSw8(received)).toMatchObject({
          sample: false,
          traceId: traceIdOfA,
          parentSpanId: 1,
          parentEndpoint: 'GET:/a',
          addressUsedAtClient: `127.0.0.1:${b.port}`,
        });
        expect(sink.segments).toHaveLength(0);
      }
    } finally {
      tracer.setSampleRate(1);
    }
  });

  it('links A -> B over fetch', async () => {
    const { b, segmentA, segmentB } = await aCallsB(async (url) => (await fetch(url)).text());
    expectLinked(segmentA, segmentB, b.port);
  });

  it('records connection refused as an error, for http.get and fetch', async () => {
    const closed = await startServer(() => {});
    await closed.close();
    const entry = tracer.startEntrySpan('job');
    await tracer.withSpan(entry, async () => {
      await httpGet(`${closed.url}/nobody`).catch(() => undefined);
      await fetch(`${closed.url}/nobody`).catch(() => undefined);
    });
    entry.end();
    const [segment] = await segments(1);
    const exits = segment!.spans.slice(1);
    expect(exits).toHaveLength(2);
    for (const exit of exits) {
      expect(exit.isError).toBe(true);
      expect(exit.peer).toBe(`127.0.0.1:${closed.port}`);
      const log = Object.fromEntries(exit.logs[0]!.data.map((kv) => [kv.key, kv.value]));
      expect(log.event).toBe('error');
      expect(JSON.stringify(exit.logs)).toMatch(/ECONNREFUSED|fetch failed/);
    }
  });

  it('records a timed-out request as an error', async () => {
    const silent = await serve(() => {});
    const entry = tracer.startEntrySpan('job');
    await tracer.withSpan(
      entry,
      () =>
        new Promise<void>((resolve) => {
          const req = http.get(`${silent.url}/slow`, { timeout: 30 });
          req.on('timeout', () => req.destroy(new Error('request timed out')));
          req.on('error', () => resolve());
        }),
    );
    entry.end();
    // The silent server's own entry span ends too, as aborted, when the client gives up.
    const all = await segments(2);
    const segment = byOperation(all, 'job');
    expect(segment.spans[1]!.isError).toBe(true);
    expect(JSON.stringify(segment.spans[1]!.logs)).toContain('request timed out');
    expect(JSON.stringify(byOperation(all, 'GET:/slow').spans[0]!.logs)).toContain('aborted');
  });

  it('marks 4xx and 5xx responses as errors on the exit span', async () => {
    const b = await serve((_req, res) => {
      res.statusCode = 500;
      res.end();
    });
    const entry = tracer.startEntrySpan('job');
    await tracer.withSpan(entry, async () => {
      await httpGet(`${b.url}/x`);
      await (await fetch(`${b.url}/y`)).text();
    });
    entry.end();
    const all = await segments(3);
    const job = byOperation(all, 'job');
    expect(job.spans.slice(1).map((s) => [s.isError, tags(s)['http.status_code']])).toEqual([
      [true, '500'],
      [true, '500'],
    ]);
  });

  it('traces nothing and injects nothing inside suppressTracing', async () => {
    const received: (string | undefined)[] = [];
    const b = await serve((req, res) => {
      received.push(req.headers.sw8 as string | undefined);
      res.end();
    });
    const entry = tracer.startEntrySpan('job');
    await tracer.withSpan(entry, () =>
      suppressTracing(async () => {
        await httpGet(`${b.url}/agent`);
        await (await fetch(`${b.url}/agent`)).text();
      }),
    );
    entry.end();
    const all = await segments(3);
    expect(received).toEqual([undefined, undefined]);
    expect(byOperation(all, 'job').spans).toHaveLength(1);
  });

  it('leaves a request propagated by hand to its manual exit span', async () => {
    const b = await serve((_req, res) => res.end());
    const entry = tracer.startEntrySpan('job');
    await tracer.withSpan(entry, async () => {
      const headers: Record<string, string> = {};
      const exit = tracer.startExitSpan('manual', `127.0.0.1:${b.port}`, { headers });
      await httpGet(`${b.url}/manual`, { headers });
      await (await fetch(`${b.url}/manual`, { headers })).text();
      exit.end();
    });
    entry.end();
    const all = await segments(3);
    expect(byOperation(all, 'job').spans.map((s) => s.operationName)).toEqual(['job', 'manual']);
    expect(byOperation(all, 'GET:/manual').spans[0]!.refs[0]!.parentSpanId).toBe(1);
  });

  it('replaces a forwarded incoming sw8 (a proxy copying the headers) with its own exit span', async () => {
    const back = await serve((_req, res) => res.end('b'));
    const front = await serve((req, res) => {
      const forwarded = { sw8: String(req.headers.sw8) }; // what a gateway copying req.headers passes on
      void httpGet(`${back.url}/via-http`, { headers: forwarded })
        .then(() => fetch(`${back.url}/via-fetch`, { headers: forwarded }))
        .then((answer) => answer.text())
        .then(() => res.end('f'));
    });
    const entry = tracer.startEntrySpan('client');
    await tracer.withSpan(entry, () => httpGet(`${front.url}/front`));
    entry.end();
    const all = await segments(4);
    const frontSegment = byOperation(all, 'GET:/front');
    const exitId = (operation: string): number =>
      frontSegment.spans.find((s) => s.operationName === operation)!.spanId;
    for (const [operation, exit] of [
      ['GET:/via-http', '/via-http'],
      ['GET:/via-fetch', '/via-fetch'],
    ] as const) {
      const ref = byOperation(all, operation).spans[0]!.refs[0]!;
      // The back service's parent is the front's exit span, not the client's: front stays in the trace.
      expect(ref.parentTraceSegmentId, operation).toBe(frontSegment.traceSegmentId);
      expect(ref.parentSpanId, operation).toBe(exitId(exit));
      expect(ref.traceId, operation).toBe(entry.traceId);
    }
  });

  it('keeps a trace linked through an endpoint with a 4,000-character path (operation names capped at 150)', async () => {
    const back = await serve((_req, res) => res.end());
    const front = await serve((_req, res) => {
      void httpGet(`${back.url}/next`).then(() => res.end());
    });
    const longPath = `/x${'y'.repeat(4_000)}`;
    const before = tracer.stats();
    await suppressTracing(() => httpGet(`${front.url}${longPath}`));
    const all = await segments(2);
    const frontSegment = all.find((s) => s.spans[0]!.operationName.startsWith('GET:/xyyy'))!;
    expect(frontSegment.spans[0]!.operationName).toBe(`GET:${longPath}`.slice(0, 150));
    const ref = byOperation(all, 'GET:/next').spans[0]!.refs[0];
    expect(ref?.parentTraceSegmentId).toBe(frontSegment.traceSegmentId);
    expect(ref?.parentEndpoint).toBe(frontSegment.spans[0]!.operationName);
    expect(tracer.stats().operationNamesTruncated).toBeGreaterThan(before.operationNamesTruncated);
    expect(tracer.stats().malformedHeaders).toBe(before.malformedHeaders); // the header was not refused
  });

  it('ends the exit span of a successful upgrade (a WebSocket handshake) with its 101, not as an error', async () => {
    const b = await serve((_req, res) => res.end());
    b.server.on('upgrade', (_req, socket: Socket) => {
      socket.end(
        'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: test\r\n\r\n',
      );
    });
    const entry = tracer.startEntrySpan('job');
    await tracer.withSpan(
      entry,
      () =>
        new Promise<void>((resolve, reject) => {
          const req = http.request(`${b.url}/socket`, {
            headers: { Connection: 'Upgrade', Upgrade: 'test' },
          });
          req.on('upgrade', (_res, socket: Socket) => {
            socket.destroy();
            resolve();
          });
          req.on('error', reject);
          req.end();
        }),
    );
    entry.end();
    const job = byOperation(await segments(1), 'job');
    const exit = job.spans.find((s) => s.operationName === '/socket')!;
    expect(exit.isError).toBe(false);
    expect(tags(exit)['http.status_code']).toBe('101');
  });

  it('returns to a clean state after disable() and works again when re-enabled', async () => {
    const received: (string | undefined)[] = [];
    const b = await serve((req, res) => {
      received.push(req.headers.sw8 as string | undefined);
      res.end();
    });
    tracer.disable();
    try {
      const entry = tracer.startEntrySpan('job');
      await tracer.withSpan(entry, () => httpGet(`${b.url}/off`));
      entry.end();
      expect(received).toEqual([undefined]);
      expect((await segments(1))[0]!.spans).toHaveLength(1);
    } finally {
      tracer.enableHttpInstrumentation();
    }
    sink.segments.length = 0;
    await suppressTracing(() => httpGet(`${b.url}/on`));
    expect((await segments(1))[0]!.spans[0]!.operationName).toBe('GET:/on');
  });
});

describe('HTTP client requests queued behind maxSockets', () => {
  it('are still traced; on Node 20 the ones already ended go out without sw8 and are counted', async () => {
    const received: (string | undefined)[] = [];
    const b = await serve((req, res) => {
      received.push(req.headers.sw8 as string | undefined);
      setTimeout(() => res.end(), 5);
    });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const skippedBefore = tracer.stats().propagationSkipped;
    const entry = tracer.startEntrySpan('job');
    try {
      await tracer.withSpan(entry, () =>
        Promise.all([httpGet(`${b.url}/q1`, { agent }), httpGet(`${b.url}/q2`, { agent })]),
      );
    } finally {
      entry.end();
      agent.destroy();
    }
    const all = await segments(3);
    const job = byOperation(all, 'job');
    expect(job.spans.map((s) => s.operationName)).toEqual(['job', '/q1', '/q2']);
    expect(job.spans.slice(1).every((s) => tags(s)['http.status_code'] === '200')).toBe(true);
    const queuedPropagated = hasCreatedChannel(process.versions.node);
    expect(received.map((h) => h !== undefined)).toEqual([true, queuedPropagated]);
    expect(tracer.stats().propagationSkipped - skippedBefore).toBe(queuedPropagated ? 0 : 1);
  });
});
