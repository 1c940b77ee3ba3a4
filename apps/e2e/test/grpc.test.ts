import http2 from 'node:http2';
import { type AddressInfo } from 'node:net';
import { SpanLayer, SpanType } from '@windsock/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { type AgentApp, startAgentApp, tagOf } from './helpers/agent-app.js';

// gRPC apps under the real agent, which reports to the collector over the same copy of @grpc/grpc-js the app uses
// (pnpm links one copy for both). The app's calls are traced and joined in one trace; the agent's own calls to the
// collector are not traced and carry no sw8, which an HTTP/2 proxy between the agent and the collector checks on the
// wire.

const GREET = '/windsock.e2e.Greeter/Greet';
const KEEP_ALIVE = '/skywalking.v3.ManagementService/keepAlive';
const FETCH_CONFIGURATIONS = '/skywalking.v3.ConfigurationDiscoveryService/fetchConfigurations';

interface Seen {
  path: string;
  headers: http2.IncomingHttpHeaders;
  at: number;
}

/**
 * Forwards every HTTP/2 stream to the collector unchanged and records each request's path and headers: the only way
 * to see the metadata of the agent's calls as they left the app (the collector keeps only its own fields).
 */
interface RecordingProxy {
  address: string;
  seen: Seen[];
  stop(): Promise<void>;
}

async function startRecordingProxy(upstream: Promise<string>): Promise<RecordingProxy> {
  const seen: Seen[] = [];
  const sessions = new Set<http2.Http2Session>();
  let client: http2.ClientHttp2Session | undefined;
  const connect = async (): Promise<http2.ClientHttp2Session> => {
    if (client === undefined || client.closed || client.destroyed) {
      client = http2.connect(`http://${await upstream}`);
      client.on('error', () => {});
      sessions.add(client);
    }
    return client;
  };
  const server = http2.createServer();
  server.on('session', (session) => {
    sessions.add(session);
    session.on('error', () => {});
  });
  server.on('stream', (stream, headers) => {
    seen.push({ path: String(headers[':path']), headers, at: Date.now() });
    stream.on('error', () => {});
    void connect().then((session) => {
      const request = session.request(plain(headers));
      request.on('error', () => stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR));
      let trailers: http2.IncomingHttpHeaders = {};
      request.on('response', (response) => {
        if (!stream.closed) stream.respond(plain(response), { waitForTrailers: true });
      });
      request.on('trailers', (received: http2.IncomingHttpHeaders) => {
        trailers = received;
      });
      stream.on('wantTrailers', () => stream.sendTrailers(plain(trailers)));
      stream.on('close', () => {
        if (!request.closed) request.close(http2.constants.NGHTTP2_CANCEL);
      });
      stream.pipe(request);
      request.pipe(stream);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    address: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    async stop() {
      for (const session of sessions) session.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Headers without Node's symbol-keyed bookkeeping, as `request` and `respond` accept them. */
function plain(headers: http2.IncomingHttpHeaders): http2.OutgoingHttpHeaders {
  return Object.fromEntries(Object.entries(headers));
}

let app: AgentApp | undefined;
let proxy: RecordingProxy | undefined;

afterEach(async () => {
  await app?.stop();
  await proxy?.stop();
  app = undefined;
  proxy = undefined;
});

describe.each([
  { name: 'CommonJS', fixture: 'grpc/app.cjs', text: 'hello cjs' },
  { name: 'ES module', fixture: 'grpc/app.mjs', text: 'hello esm' },
])('grpc-js, $name app', ({ fixture, text }) => {
  it("joins the app's client and server spans in one trace and never traces the agent's own calls", async () => {
    let upstream!: (address: string) => void;
    proxy = await startRecordingProxy(new Promise<string>((resolve) => (upstream = resolve)));
    app = await startAgentApp(fixture, {
      env: {
        SW_AGENT_COLLECTOR_BACKEND_SERVICES: proxy.address,
        // Frequent keepAlive and configuration calls (unary, through grpc-js) once the app has loaded grpc-js.
        SW_AGENT_HEARTBEAT_INTERVAL: '1s',
        SW_AGENT_CDS_INTERVAL: '1s',
      },
    });
    upstream(app.collector.address);
    const port = (await app.line(/listening on (\d+)/))[1]!;
    // The app has required grpc-js by now: its prototypes are patched, for the transport's calls too.
    const patchedAt = Date.now();

    const response = await fetch(`http://127.0.0.1:${port}/call`);
    expect(await response.text()).toBe(text);
    expect(response.status).toBe(200);

    const collector = app.collector;
    const spans = () => app!.spans();
    const pair = await collector.waitFor(() => {
      const exit = spans().find(
        ({ span }) => span.spanType === SpanType.Exit && span.operationName === GREET,
      );
      const entry = spans().find(
        ({ span }) => span.spanType === SpanType.Entry && span.operationName === GREET,
      );
      const http = spans().find(
        ({ span }) => span.spanType === SpanType.Entry && span.operationName === 'GET:/call',
      );
      return (
        exit !== undefined && entry !== undefined && http !== undefined && { exit, entry, http }
      );
    }, 30_000);
    const { exit, entry, http } = pair;
    // HTTP entry -> gRPC exit (same segment) -> gRPC entry (the server's segment, continuing the client's sw8).
    expect(exit.segment.traceSegmentId).toBe(http.segment.traceSegmentId);
    expect(exit.span.parentSpanId).toBe(http.span.spanId);
    expect(exit.span).toMatchObject({
      spanLayer: SpanLayer.RPCFramework,
      componentId: 23,
      peer: expect.stringMatching(/^127\.0\.0\.1:\d+$/) as unknown,
      isError: false,
    });
    expect(entry.span).toMatchObject({ spanLayer: SpanLayer.RPCFramework, componentId: 23 });
    expect(entry.segment.traceId).toBe(http.segment.traceId);
    expect(entry.span.refs[0]).toMatchObject({
      traceId: http.segment.traceId,
      parentTraceSegmentId: exit.segment.traceSegmentId,
      parentSpanId: exit.span.spanId,
      networkAddressUsedAtPeer: exit.span.peer,
    });
    expect(tagOf(exit.span, 'rpc.status_code')).toBe('OK');
    expect(tagOf(entry.span, 'rpc.status_code')).toBe('OK');

    // The transport's unary calls keep working through the patched prototypes, acknowledged by the collector.
    await collector.waitFor(() => {
      const after = collector
        .requests()
        .filter((r) => r.receivedAt > patchedAt && r.outcome === 'acknowledged');
      return (
        after.filter((r) => r.method === KEEP_ALIVE).length >= 2 &&
        after.some((r) => r.method === FETCH_CONFIGURATIONS)
      );
    }, 30_000);
    const agentCalls = proxy.seen.filter((s) => s.at > patchedAt);
    expect(agentCalls.map((s) => s.path)).toEqual(
      expect.arrayContaining([KEEP_ALIVE, FETCH_CONFIGURATIONS]),
    );

    // Every call that left the app for the collector is the agent's own, and none carries SkyWalking headers.
    expect(proxy.seen.filter((s) => !s.path.startsWith('/skywalking.v3.'))).toEqual([]);
    expect(
      proxy.seen.filter((s) => Object.keys(s.headers).some((key) => key.startsWith('sw8'))),
    ).toEqual([]);
    // And no span was reported for them.
    expect(spans().filter(({ span }) => span.operationName.startsWith('/skywalking.v3.'))).toEqual(
      [],
    );
    expect(spans().filter(({ span }) => span.peer === proxy!.address)).toEqual([]);
    // One trace: the request's HTTP entry, its gRPC exit and the server's gRPC entry.
    expect(
      spans()
        .filter(({ segment }) => segment.traceId === http.segment.traceId)
        .map(({ span }) => span.operationName)
        .sort(),
    ).toEqual([GREET, GREET, 'GET:/call']);
  });
});
