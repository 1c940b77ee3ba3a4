import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type * as GrpcJs from '@grpc/grpc-js';
import type * as ProtoLoader from '@grpc/proto-loader';
import { type Span, suppressTracing } from '@windsock/core';
import { type SegmentObject, SpanLayer, type SpanObject, SpanType } from '@windsock/protocol';
import { freePort } from '@windsock/test-servers';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { nodeBinary, runFixture } from '../../test/helpers/fixture.js';
import { tagOf, tracingHarness } from '../../test/helpers/tracing.js';
import { peerOfTarget } from './peer.js';
import { grpcJsInstrumentation } from './index.js';

const require = createRequire(import.meta.url);
const FIXTURES = fileURLToPath(new URL('../../test/fixtures/grpc-js/', import.meta.url));

const SAY = '/windsock.test.Echo/Say';
const COUNT = '/windsock.test.Echo/Count';
const COLLECT = '/windsock.test.Echo/Collect';
const CHAT = '/windsock.test.Echo/Chat';
const GRPC = 23;

interface Message {
  text: string;
  n: number;
}
/** What `Say` answers: what the server saw of the call. */
interface Seen {
  text: string;
  app: string | undefined;
  sw8: string | undefined;
}
type Callback = (error: GrpcJs.ServiceError | null, reply?: Message) => void;
interface EchoStub extends GrpcJs.Client {
  Say(request: Message, metadata: GrpcJs.Metadata, options: GrpcJs.CallOptions, cb: Callback): void;
  Count(request: Message, metadata?: GrpcJs.Metadata): GrpcJs.ClientReadableStream<Message>;
  Collect(cb: Callback): GrpcJs.ClientWritableStream<Message>;
  Chat(): GrpcJs.ClientDuplexStream<Message, Message>;
}

const harness = tracingHarness();
const { tracer, sink } = harness;
let undo: () => void;
let grpc: typeof GrpcJs;
let server: GrpcJs.Server;
let port: number;
let Echo: new (address: string, credentials: GrpcJs.ChannelCredentials) => EchoStub;
let client: EchoStub;

/** A local span opened by a server handler or listener: its parent shows which span was active there. */
function markServerWork(name: string): void {
  tracer.startLocalSpan(name).end();
}

beforeAll(async () => {
  undo = grpcJsInstrumentation.enable(harness.context);
  // Required after enabling, as an app does after `windsock/register`.
  grpc = require('@grpc/grpc-js') as typeof GrpcJs;
  const protoLoader = require('@grpc/proto-loader') as typeof ProtoLoader;
  const definition = protoLoader.loadSync(`${FIXTURES}echo.proto`);
  const loaded = grpc.loadPackageDefinition(definition) as unknown as {
    windsock: { test: { Echo: typeof Echo & { service: GrpcJs.ServiceDefinition } } };
  };
  const EchoService = loaded.windsock.test.Echo;
  Echo = EchoService;
  const { status } = grpc;
  server = new grpc.Server();
  server.addService(EchoService.service, {
    Say(call: GrpcJs.ServerUnaryCall<Message, Message>, callback: GrpcJs.sendUnaryData<Message>) {
      const { text, n } = call.request;
      if (text === 'fail') {
        callback({ code: status.NOT_FOUND, details: 'no such greeting' });
        return;
      }
      if (text === 'throw') throw new Error('the handler exploded');
      if (text === 'hang') return; // answered by the deadline
      const seen: Seen = {
        text,
        app: call.metadata.get('x-app')[0] as string | undefined,
        sw8: call.metadata.get('sw8')[0] as string | undefined,
      };
      // Replies out of order, so that concurrent calls interleave on the connection.
      setTimeout(() => {
        markServerWork(`work ${text}`);
        callback(null, { text: JSON.stringify(seen), n });
      }, n % 7);
    },
    Count(call: GrpcJs.ServerWritableStream<Message, Message>) {
      if (call.request.n < 0) {
        // Streams until the client cancels.
        call.write({ text: 'first', n: 0 });
        call.on('cancelled', () => markServerWork('saw the cancel'));
        return;
      }
      for (let i = 0; i < call.request.n; i++) call.write({ text: 'tick', n: i });
      markServerWork('counted');
      call.end();
    },
    Collect(
      call: GrpcJs.ServerReadableStream<Message, Message>,
      callback: GrpcJs.sendUnaryData<Message>,
    ) {
      let sum = 0;
      call.on('data', (message: Message) => {
        sum += message.n;
        markServerWork(`collected ${message.n}`);
      });
      call.on('end', () => callback(null, { text: 'sum', n: sum }));
    },
    Chat(call: GrpcJs.ServerDuplexStream<Message, Message>) {
      call.on('data', (message: Message) => {
        markServerWork(`chat ${message.text}`);
        call.write({ text: message.text.toUpperCase(), n: message.n });
      });
      call.on('end', () => call.end());
    },
  });
  port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error === null ? resolve(bound) : reject(error),
    ),
  );
  client = new Echo(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
});

afterAll(async () => {
  client?.close();
  if (server !== undefined)
    await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
  undo?.();
});

// ---- helpers -----------------------------------------------------------------------------------------------------

interface Found {
  segment: SegmentObject;
  span: SpanObject;
}

function all(): Found[] {
  return sink.segments.flatMap((segment) => segment.spans.map((span) => ({ segment, span })));
}

/** The one span of `traceId` with this type and operation, once reported. */
async function reported(traceId: string, type: SpanType, operation: string): Promise<Found> {
  return vi.waitFor(() => {
    const found = all().filter(
      ({ segment, span }) =>
        segment.traceId === traceId && span.spanType === type && span.operationName === operation,
    );
    expect(found).toHaveLength(1);
    return found[0]!;
  });
}

/** Runs `fn` under a local span of its own (ended when `fn` settles), as a request handler would. */
async function underSpan<T>(
  name: string,
  fn: (parent: Span) => Promise<T>,
): Promise<{ parent: Span; result: T }> {
  const parent = tracer.startLocalSpan(name);
  try {
    const result = await tracer.withSpan(parent, () => fn(parent));
    return { parent, result };
  } finally {
    parent.end();
  }
}

function say(
  request: Message,
  metadata = new grpc.Metadata(),
  options: GrpcJs.CallOptions = {},
  target: EchoStub = client,
): Promise<{
  error: GrpcJs.ServiceError | null;
  reply: Message | undefined;
  active: Span | undefined;
}> {
  return new Promise((resolve) =>
    target.Say(request, metadata, options, (error, reply) =>
      resolve({ error, reply, active: tracer.activeSpan() }),
    ),
  );
}

/** Asserts the client exit span and the server entry span of one call, joined in one trace; returns them. */
async function callPair(parent: Span, operation: string): Promise<{ exit: Found; entry: Found }> {
  const exit = await reported(parent.traceId, SpanType.Exit, operation);
  const entry = await reported(parent.traceId, SpanType.Entry, operation);
  expect(exit.span).toMatchObject({
    spanLayer: SpanLayer.RPCFramework,
    componentId: GRPC,
    peer: `127.0.0.1:${port}`,
    parentSpanId: parent.spanId,
  });
  expect(exit.segment.traceSegmentId).toBe(parent.segmentId);
  expect(entry.span).toMatchObject({
    spanLayer: SpanLayer.RPCFramework,
    componentId: GRPC,
    parentSpanId: -1,
  });
  expect(entry.span.refs).toHaveLength(1);
  expect(entry.span.refs[0]).toMatchObject({
    traceId: parent.traceId,
    parentTraceSegmentId: exit.segment.traceSegmentId,
    parentSpanId: exit.span.spanId,
    networkAddressUsedAtPeer: `127.0.0.1:${port}`,
  });
  return { exit, entry };
}

/** The local spans the server handler opened, children of its entry span. */
function serverWork(entry: Found): string[] {
  return entry.segment.spans
    .filter((s) => s.spanType === SpanType.Local && s.parentSpanId === entry.span.spanId)
    .map((s) => s.operationName);
}

function logText(span: SpanObject): string {
  return span.logs.flatMap((log) => log.data.map((kv) => `${kv.key}=${kv.value}`)).join('\n');
}

// ---- tests -------------------------------------------------------------------------------------------------------

describe('grpc-js client and server', () => {
  it('traces a unary call: exit and entry spans in one trace, sw8 in a copy of the app metadata', async () => {
    const metadata = new grpc.Metadata();
    metadata.set('x-app', 'kept');
    const { parent, result } = await underSpan('unary', () => say({ text: 'hi', n: 1 }, metadata));
    expect(result.error).toBeNull();
    const seen = JSON.parse(result.reply!.text) as Seen;
    expect(seen.text).toBe('hi');
    expect(seen.app).toBe('kept');
    expect(seen.sw8).toMatch(/^1-/);
    // The app's own Metadata object is left as the app made it.
    expect(metadata.getMap()).toEqual({ 'x-app': 'kept' });
    // The callback ran in the caller's context.
    expect(result.active?.spanId).toBe(parent.spanId);
    expect(result.active?.segmentId).toBe(parent.segmentId);

    const { exit, entry } = await callPair(parent, SAY);
    expect(tagOf(exit.span, 'rpc.status_code')).toBe('OK');
    expect(tagOf(entry.span, 'rpc.status_code')).toBe('OK');
    expect(exit.span.isError).toBe(false);
    expect(entry.span.isError).toBe(false);
    expect(serverWork(entry)).toEqual(['work hi']);
  });

  it('traces calls made with Client#makeUnaryRequest and through interceptors alike', async () => {
    const seenByInterceptor: (string | undefined)[] = [];
    const interceptor: GrpcJs.Interceptor = (options, nextCall) =>
      new grpc.InterceptingCall(nextCall(options), {
        start(metadata, listener, next) {
          metadata.set('x-app', 'from-interceptor');
          seenByInterceptor.push(metadata.get('sw8')[0] as string | undefined);
          next(metadata, listener);
        },
      });
    const generic = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
      interceptors: [interceptor],
    });
    const method = (Echo as unknown as { service: GrpcJs.ServiceDefinition }).service.Say!;
    try {
      const { parent, result } = await underSpan(
        'generic',
        () =>
          new Promise<Message | undefined>((resolve, reject) =>
            generic.makeUnaryRequest(
              SAY,
              method.requestSerialize as (m: Message) => Buffer,
              method.responseDeserialize as (b: Buffer) => Message,
              { text: 'generic', n: 0 },
              (error, reply) => (error ? reject(error) : resolve(reply)),
            ),
          ),
      );
      const seen = JSON.parse(result!.text) as Seen;
      expect(seen.app).toBe('from-interceptor');
      expect(seen.sw8).toMatch(/^1-/);
      // The app's interceptor ran first and saw the app's metadata only; sw8 was added beneath it.
      expect(seenByInterceptor).toEqual([undefined]);
      await callPair(parent, SAY);
    } finally {
      generic.close();
    }
  });

  it('traces a server-streaming call; the data listener runs in the caller context', async () => {
    const { parent, result } = await underSpan(
      'server-stream',
      () =>
        new Promise<{ texts: number[]; active: (Span | undefined)[] }>((resolve, reject) => {
          const stream = client.Count({ text: '', n: 3 });
          const texts: number[] = [];
          const active: (Span | undefined)[] = [];
          stream.on('data', (message: Message) => {
            texts.push(message.n);
            active.push(tracer.activeSpan());
          });
          stream.on('error', reject);
          stream.on('end', () => resolve({ texts, active }));
        }),
    );
    expect(result.texts).toEqual([0, 1, 2]);
    expect(result.active.map((s) => s?.spanId)).toEqual([
      parent.spanId,
      parent.spanId,
      parent.spanId,
    ]);
    const { exit, entry } = await callPair(parent, COUNT);
    expect(tagOf(exit.span, 'rpc.status_code')).toBe('OK');
    expect(tagOf(entry.span, 'rpc.status_code')).toBe('OK');
    expect(serverWork(entry)).toEqual(['counted']);
  });

  it('traces a client-streaming call; server data listeners run under the entry span', async () => {
    const { parent, result } = await underSpan(
      'client-stream',
      () =>
        new Promise<{
          error: GrpcJs.ServiceError | null;
          reply?: Message;
          written: (Span | undefined)[];
        }>((resolve) => {
          const written: (Span | undefined)[] = [];
          const stream = client.Collect((error, reply) => resolve({ error, reply, written }));
          for (const n of [1, 2, 3]) {
            stream.write({ text: '', n }, () => written.push(tracer.activeSpan()));
          }
          stream.end();
        }),
    );
    expect(result.error).toBeNull();
    expect(result.reply?.n).toBe(6);
    // Write callbacks run in the caller's context too.
    expect(result.written.map((s) => s?.spanId)).toEqual([
      parent.spanId,
      parent.spanId,
      parent.spanId,
    ]);
    const { exit, entry } = await callPair(parent, COLLECT);
    expect(tagOf(exit.span, 'rpc.status_code')).toBe('OK');
    expect(serverWork(entry)).toEqual(['collected 1', 'collected 2', 'collected 3']);
  });

  it('traces a bidi call both ways', async () => {
    const { parent, result } = await underSpan(
      'bidi',
      () =>
        new Promise<{ texts: string[]; active: (Span | undefined)[] }>((resolve, reject) => {
          const stream = client.Chat();
          const texts: string[] = [];
          const active: (Span | undefined)[] = [];
          stream.on('data', (message: Message) => {
            texts.push(message.text);
            active.push(tracer.activeSpan());
          });
          stream.on('error', reject);
          stream.on('end', () => resolve({ texts, active }));
          stream.write({ text: 'a', n: 1 });
          stream.write({ text: 'b', n: 2 });
          stream.end();
        }),
    );
    expect(result.texts).toEqual(['A', 'B']);
    expect(result.active.every((s) => s?.spanId === parent.spanId)).toBe(true);
    const { exit, entry } = await callPair(parent, CHAT);
    expect(tagOf(exit.span, 'rpc.status_code')).toBe('OK');
    expect(tagOf(entry.span, 'rpc.status_code')).toBe('OK');
    expect(serverWork(entry)).toEqual(['chat a', 'chat b']);
  });

  it('marks both spans as errors on a non-OK status; the app gets the same error', async () => {
    const { parent, result } = await underSpan('error', () => say({ text: 'fail', n: 0 }));
    expect(result.error?.code).toBe(grpc.status.NOT_FOUND);
    expect(result.error?.details).toBe('no such greeting');
    expect(result.error?.message).toBe('5 NOT_FOUND: no such greeting');
    const { exit, entry } = await callPair(parent, SAY);
    for (const span of [exit.span, entry.span]) {
      expect(span.isError).toBe(true);
      expect(tagOf(span, 'rpc.status_code')).toBe('NOT_FOUND');
      expect(logText(span)).toContain('no such greeting');
    }
  });

  it('logs the error a handler throws on the server span (UNKNOWN on both sides)', async () => {
    const { parent, result } = await underSpan('throw', () => say({ text: 'throw', n: 0 }));
    expect(result.error?.code).toBe(grpc.status.UNKNOWN);
    const { exit, entry } = await callPair(parent, SAY);
    expect(tagOf(exit.span, 'rpc.status_code')).toBe('UNKNOWN');
    expect(tagOf(entry.span, 'rpc.status_code')).toBe('UNKNOWN');
    expect(entry.span.isError).toBe(true);
    expect(logText(entry.span)).toContain('message=the handler exploded');
    expect(logText(entry.span)).toContain('error.kind=Error');
  });

  it('records DEADLINE_EXCEEDED on both sides when the deadline runs out', async () => {
    const { parent, result } = await underSpan('deadline', () =>
      say({ text: 'hang', n: 0 }, new grpc.Metadata(), { deadline: Date.now() + 300 }),
    );
    expect(result.error?.code).toBe(grpc.status.DEADLINE_EXCEEDED);
    expect(result.active?.spanId).toBe(parent.spanId);
    const { exit, entry } = await callPair(parent, SAY);
    expect(tagOf(exit.span, 'rpc.status_code')).toBe('DEADLINE_EXCEEDED');
    expect(exit.span.isError).toBe(true);
    expect(tagOf(entry.span, 'rpc.status_code')).toBe('DEADLINE_EXCEEDED');
    expect(entry.span.isError).toBe(true);
  });

  it('records CANCELLED on both sides when the client cancels a stream', async () => {
    const { parent, result } = await underSpan(
      'cancel',
      () =>
        new Promise<{ code: number | undefined; active: Span | undefined }>((resolve) => {
          const stream = client.Count({ text: '', n: -1 });
          stream.on('data', () => stream.cancel());
          stream.on('error', (error: GrpcJs.ServiceError) =>
            resolve({ code: error.code, active: tracer.activeSpan() }),
          );
        }),
    );
    expect(result.code).toBe(grpc.status.CANCELLED);
    expect(result.active?.spanId).toBe(parent.spanId);
    const { exit, entry } = await callPair(parent, COUNT);
    expect(tagOf(exit.span, 'rpc.status_code')).toBe('CANCELLED');
    expect(exit.span.isError).toBe(true);
    expect(tagOf(entry.span, 'rpc.status_code')).toBe('CANCELLED');
    expect(entry.span.isError).toBe(true);
    // The listener ran under the entry span, which had ended with the call: its work continues the trace from it.
    const work = await vi.waitFor(() => {
      const found = all().find(({ span }) => span.operationName === 'saw the cancel');
      expect(found).toBeDefined();
      return found!;
    });
    expect(work.segment.traceId).toBe(parent.traceId);
    expect(work.span.refs[0]).toMatchObject({
      parentTraceSegmentId: entry.segment.traceSegmentId,
      parentSpanId: entry.span.spanId,
    });
  });

  it('records UNAVAILABLE for a call to a refused port, with the peer it dialled', async () => {
    const closed = await freePort();
    const nowhere = new Echo(`127.0.0.1:${closed}`, grpc.credentials.createInsecure());
    try {
      const { parent, result } = await underSpan('refused', () =>
        say({ text: 'x', n: 0 }, new grpc.Metadata(), {}, nowhere),
      );
      expect(result.error?.code).toBe(grpc.status.UNAVAILABLE);
      expect(result.active?.spanId).toBe(parent.spanId);
      const exit = await reported(parent.traceId, SpanType.Exit, SAY);
      expect(exit.span).toMatchObject({
        peer: `127.0.0.1:${closed}`,
        isError: true,
        parentSpanId: parent.spanId,
        componentId: GRPC,
      });
      expect(tagOf(exit.span, 'rpc.status_code')).toBe('UNAVAILABLE');
      expect(logText(exit.span)).toContain('UNAVAILABLE');
    } finally {
      nowhere.close();
    }
  });

  it('keeps 50 interleaved calls apart: each callback and server span belongs to its own trace', async () => {
    const calls = Array.from({ length: 50 }, (_, i) =>
      underSpan(`caller ${i}`, () => say({ text: `call-${i}`, n: i })),
    );
    const done = await Promise.all(calls);
    for (const [i, { parent, result }] of done.entries()) {
      expect(result.error).toBeNull();
      expect((JSON.parse(result.reply!.text) as Seen).text).toBe(`call-${i}`);
      expect(result.active?.spanId).toBe(parent.spanId);
      expect(result.active?.segmentId).toBe(parent.segmentId);
      const { entry } = await callPair(parent, SAY);
      expect(serverWork(entry)).toEqual([`work call-${i}`]);
    }
  });

  it('opens nothing and adds no sw8 where tracing is suppressed', async () => {
    const parent = tracer.startLocalSpan('suppressed caller');
    const result = await tracer.withSpan(parent, () =>
      suppressTracing(() => say({ text: 'quiet', n: 0 })),
    );
    parent.end();
    expect(result.error).toBeNull();
    expect((JSON.parse(result.reply!.text) as Seen).sw8).toBeUndefined();
    // The server's entry span (a new trace: no sw8 came) is reported; the call itself left no exit span anywhere.
    await vi.waitFor(() =>
      expect(
        all().some(
          ({ span }) =>
            span.spanType === SpanType.Entry &&
            span.operationName === SAY &&
            span.refs.length === 0,
        ),
      ).toBe(true),
    );
    expect(
      all()
        .filter(({ segment }) => segment.traceId === parent.traceId)
        .map(({ span }) => span.operationName),
    ).toEqual(['suppressed caller']);
  });

  it('never traces SkyWalking protocol calls (the agent reporting to OAP) on either side', async () => {
    // A service at a SkyWalking path, as OAP serves it; called as windsock's transport calls it.
    const sawSw8: (string | undefined)[] = [];
    const own = new grpc.Server();
    const path = '/skywalking.v3.ManagementService/keepAlive';
    own.register(
      path,
      (call: GrpcJs.ServerUnaryCall<Buffer, Buffer>, callback: GrpcJs.sendUnaryData<Buffer>) => {
        sawSw8.push(call.metadata.get('sw8')[0] as string | undefined);
        callback(null, Buffer.alloc(0));
      },
      (b: Buffer) => b,
      (b: Buffer) => b,
      'unary',
    );
    const ownPort = await new Promise<number>((resolve, reject) =>
      own.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) =>
        e === null ? resolve(p) : reject(e),
      ),
    );
    const reporter = new grpc.Client(`127.0.0.1:${ownPort}`, grpc.credentials.createInsecure());
    try {
      const parent = tracer.startLocalSpan('app work while the agent reports');
      const error = await tracer.withSpan(
        parent,
        () =>
          new Promise<GrpcJs.ServiceError | null>((resolve) =>
            reporter.makeUnaryRequest(
              path,
              (b: Buffer) => b,
              (b: Buffer) => b,
              Buffer.alloc(0),
              new grpc.Metadata(),
              (e) => resolve(e),
            ),
          ),
      );
      parent.end();
      expect(error).toBeNull();
      expect(sawSw8).toEqual([undefined]);
      await vi.waitFor(() =>
        expect(
          all().some(({ span }) => span.operationName === 'app work while the agent reports'),
        ).toBe(true),
      );
      expect(all().filter(({ span }) => span.operationName === path)).toEqual([]);
    } finally {
      reporter.close();
      await new Promise<void>((resolve) => own.tryShutdown(() => resolve()));
    }
  });

  it('stops tracing after the undo; client calls are traced again once re-enabled', async () => {
    undo();
    const before = sink.spans().length;
    const off = await underSpan('disabled', () => say({ text: 'off', n: 0 }));
    expect((JSON.parse(off.result.reply!.text) as Seen).sw8).toBeUndefined();
    // The handler's own local span is reported as a trace of its own; no gRPC span was opened on either side.
    await vi.waitFor(() =>
      expect(
        sink
          .spans()
          .slice(before)
          .map((s) => s.operationName)
          .sort(),
      ).toEqual(['disabled', 'work off']),
    );

    undo = grpcJsInstrumentation.enable(harness.context);
    require('@grpc/grpc-js'); // the app's next require patches the loaded copy again
    const on = await underSpan('re-enabled', () => say({ text: 'on', n: 0 }));
    expect((JSON.parse(on.result.reply!.text) as Seen).sw8).toMatch(/^1-/);
    // Client calls are traced again; the server's handlers were registered under the undone patch and stay as they are.
    const exit = await reported(on.parent.traceId, SpanType.Exit, SAY);
    expect(tagOf(exit.span, 'rpc.status_code')).toBe('OK');
  });

  it('reads the peer from channel targets as grpc-js normalises them', () => {
    expect(peerOfTarget('dns:127.0.0.1:50051')).toBe('127.0.0.1:50051');
    expect(peerOfTarget('dns:localhost')).toBe('localhost:443');
    expect(peerOfTarget('dns:///api.example.com:8443')).toBe('api.example.com:8443');
    expect(peerOfTarget('dns://8.8.8.8/api.example.com')).toBe('api.example.com:443');
    expect(peerOfTarget('ipv6:[::1]:50051')).toBe('[::1]:50051');
    expect(peerOfTarget('dns:[::1]')).toBe('[::1]:443');
    expect(peerOfTarget('unix:/run/app.sock')).toBe('/run/app.sock');
  });

  it('is named and described as the registry expects', () => {
    expect(grpcJsInstrumentation.name).toBe('grpc-js');
    expect(grpcJsInstrumentation.modules).toEqual([
      { name: '@grpc/grpc-js', versions: '>=1.10.0 <2' },
    ]);
    expect(harness.diagnostics).toEqual([]);
  });
});

describe('grpc-js in applications (built package, child processes)', () => {
  const expectPair = (segments: SegmentObject[]): void => {
    const spans = segments.flatMap((s) => s.spans.map((span) => ({ segment: s, span })));
    const exit = spans.find(
      ({ span }) => span.spanType === SpanType.Exit && span.operationName === SAY,
    );
    const entry = spans.find(
      ({ span }) => span.spanType === SpanType.Entry && span.operationName === SAY,
    );
    expect(exit).toBeDefined();
    expect(entry).toBeDefined();
    expect(exit!.span.peer).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(entry!.segment.traceId).toBe(exit!.segment.traceId);
    expect(entry!.span.refs[0]).toMatchObject({
      parentTraceSegmentId: exit!.segment.traceSegmentId,
      parentSpanId: exit!.span.spanId,
    });
    const streams = spans
      .filter(({ span }) => span.operationName === COUNT)
      .map(({ span }) => span.spanType);
    expect(streams.sort()).toEqual([SpanType.Entry, SpanType.Exit].sort());
  };

  const nodeOf = (major: number): string => nodeBinary(String(major));

  it.each([
    ['app.cjs', 'this'],
    ['app.mjs', 'this'],
    ['app.cjs', 22],
    ['app.mjs', 22],
    ['app.cjs', 24],
    ['app.mjs', 24],
    ['app.mjs', 26],
  ] as const)('%s on node %s', async (file, major) => {
    const run = await runFixture(`${FIXTURES}${file}`, {
      plugins: ['grpc-js'],
      ...(major === 'this' ? {} : { node: nodeOf(major) }),
    });
    // Node 20 runs `-r` preloads in its ES module loader thread too, where the test preload registers the loader a
    // second time and Node warns; nothing else may reach stderr.
    expect(run.stderr).not.toMatch(/error|grpc/i);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`reply hello ${file.endsWith('.mjs') ? 'esm' : 'cjs'} sw8=1`);
    expect(run.stdout).toContain('ticks 3');
    expect(run.diagnostics).toEqual([]);
    expectPair(run.segments);
  });

  it('instruments a grpc-js loaded before the agent (as windsock/register finds it: its transport loaded it)', async () => {
    // NODE_OPTIONS preloads run before the command line's `-r`: grpc-js is in the require cache when the hook is set.
    const grpcMain = require.resolve('@grpc/grpc-js');
    for (const file of ['app.cjs', 'app.mjs']) {
      const run = await runFixture(`${FIXTURES}${file}`, {
        plugins: ['grpc-js'],
        env: { NODE_OPTIONS: `--require ${grpcMain}` },
      });
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('sw8=1');
      expectPair(run.segments);
    }
  });
});
