// Every definition against a real @grpc/grpc-js server on 127.0.0.1 (port 0), both directions.
import * as grpc from '@grpc/grpc-js';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as arb from '../../test/arbitraries.js';
import { encodeLogData, encodeSegmentObject } from '../encoding/agent-encoders.js';
import { encodeSegmentCollection } from '../encoding/segment-collection.js';
import {
  type Commands,
  Event,
  LogData,
  MeterData,
  MeterDataCollection,
  SegmentCollection,
  SegmentObject,
} from '../messages.js';
import {
  EventServicePassThroughDefinition,
  LogReportServicePassThroughDefinition,
  MeterReportServicePassThroughDefinition,
  TraceSegmentReportServicePassThroughDefinition,
} from './pass-through-services.js';
import {
  ConfigurationDiscoveryServiceDefinition,
  EventServiceDefinition,
  LogReportServiceDefinition,
  ManagementServiceDefinition,
  MeterReportServiceDefinition,
  SpanAttachedEventReportServiceDefinition,
  TraceSegmentReportServiceDefinition,
} from './services.js';

type Definition = grpc.ServiceDefinition;

const messageServices: Record<string, Definition> = {
  TraceSegmentReportService: TraceSegmentReportServiceDefinition,
  LogReportService: LogReportServiceDefinition,
  ManagementService: ManagementServiceDefinition,
  MeterReportService: MeterReportServiceDefinition,
  EventService: EventServiceDefinition,
  ConfigurationDiscoveryService: ConfigurationDiscoveryServiceDefinition,
  SpanAttachedEventReportService: SpanAttachedEventReportServiceDefinition,
};

const passThroughServices: Record<string, Definition> = {
  TraceSegmentReportService: TraceSegmentReportServicePassThroughDefinition,
  LogReportService: LogReportServicePassThroughDefinition,
  MeterReportService: MeterReportServicePassThroughDefinition,
  EventService: EventServicePassThroughDefinition,
};

/** The answer each handler sends: a command named after the method, so clients can tell them apart. */
const answerFor = (path: string): Commands => ({
  commands: [{ command: path, args: [{ key: 'SerialNumber', value: '1' }] }],
});

/** A server that records every request message it receives per method path. */
async function startRecordingServer(services: Record<string, Definition>) {
  const received = new Map<string, unknown[]>();
  const record = (path: string, request: unknown) => {
    const list = received.get(path) ?? [];
    list.push(request);
    received.set(path, list);
  };
  const server = new grpc.Server();
  for (const definition of Object.values(services)) {
    const handlers: grpc.UntypedServiceImplementation = {};
    for (const [rpc, method] of Object.entries(definition)) {
      handlers[rpc] = method.requestStream
        ? (
            call: grpc.ServerReadableStream<unknown, Commands>,
            reply: grpc.sendUnaryData<Commands>,
          ) => {
            received.set(method.path, received.get(method.path) ?? []);
            call.on('data', (request) => record(method.path, request));
            call.on('end', () => reply(null, answerFor(method.path)));
          }
        : (call: grpc.ServerUnaryCall<unknown, Commands>, reply: grpc.sendUnaryData<Commands>) => {
            record(method.path, call.request);
            reply(null, answerFor(method.path));
          };
    }
    server.addService(definition, handlers);
  }
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  return { server, address: `127.0.0.1:${port}`, received };
}

function call<Request>(
  client: grpc.Client,
  method: grpc.MethodDefinition<Request, Commands>,
  requests: Request[],
): Promise<Commands> {
  return new Promise((resolve, reject) => {
    const done = (error: grpc.ServiceError | null, response?: Commands) =>
      error || !response ? reject(error ?? new Error('no response')) : resolve(response);
    if (!method.requestStream) {
      client.makeUnaryRequest(
        method.path,
        method.requestSerialize,
        method.responseDeserialize,
        requests[0] as Request,
        done,
      );
      return;
    }
    const stream = client.makeClientStreamRequest(
      method.path,
      method.requestSerialize,
      method.responseDeserialize,
      done,
    );
    for (const request of requests) stream.write(request);
    stream.end();
  });
}

const sample = <T>(arbitrary: fc.Arbitrary<T>, count: number): T[] =>
  fc.sample(arbitrary, { numRuns: count, seed: 42 });

const requestsFor: Record<string, () => unknown[]> = {
  '/skywalking.v3.TraceSegmentReportService/collect': () => sample(arb.segmentObject, 3),
  '/skywalking.v3.TraceSegmentReportService/collectInSync': () => sample(arb.segmentCollection, 1),
  '/skywalking.v3.LogReportService/collect': () => sample(arb.logData, 3),
  '/skywalking.v3.ManagementService/reportInstanceProperties': () =>
    sample(arb.instanceProperties, 1),
  '/skywalking.v3.ManagementService/keepAlive': () => sample(arb.instancePingPkg, 1),
  '/skywalking.v3.MeterReportService/collect': () => sample(arb.meterData, 3),
  '/skywalking.v3.MeterReportService/collectBatch': () => sample(arb.meterDataCollection, 2),
  '/skywalking.v3.EventService/collect': () => sample(arb.event, 2),
  '/skywalking.v3.ConfigurationDiscoveryService/fetchConfigurations': () =>
    sample(arb.configurationSyncRequest, 1),
  '/skywalking.v3.SpanAttachedEventReportService/collect': () => sample(arb.spanAttachedEvent, 2),
};

describe('service definitions', () => {
  it('use the exact SkyWalking v3 paths and call kinds', () => {
    const methods = Object.values(messageServices).flatMap((definition) =>
      Object.values(definition).map((m) => `${m.path} ${m.requestStream ? 'stream' : 'unary'}`),
    );
    expect(methods).toEqual([
      '/skywalking.v3.TraceSegmentReportService/collect stream',
      '/skywalking.v3.TraceSegmentReportService/collectInSync unary',
      '/skywalking.v3.LogReportService/collect stream',
      '/skywalking.v3.ManagementService/reportInstanceProperties unary',
      '/skywalking.v3.ManagementService/keepAlive unary',
      '/skywalking.v3.MeterReportService/collect stream',
      '/skywalking.v3.MeterReportService/collectBatch stream',
      '/skywalking.v3.EventService/collect stream',
      '/skywalking.v3.ConfigurationDiscoveryService/fetchConfigurations unary',
      '/skywalking.v3.SpanAttachedEventReportService/collect stream',
    ]);
    for (const [name, passThrough] of Object.entries(passThroughServices)) {
      for (const [rpc, method] of Object.entries(passThrough)) {
        const message = messageServices[name]?.[rpc];
        expect(method.path).toBe(message?.path);
        expect(method.requestStream).toBe(message?.requestStream);
        expect(method.responseStream).toBe(false);
      }
    }
  });
});

describe('over a real gRPC server', () => {
  let messageServer: Awaited<ReturnType<typeof startRecordingServer>>;
  let passThroughServer: Awaited<ReturnType<typeof startRecordingServer>>;
  let toMessageServer: grpc.Client;
  let toPassThroughServer: grpc.Client;

  beforeAll(async () => {
    messageServer = await startRecordingServer(messageServices);
    passThroughServer = await startRecordingServer(passThroughServices);
    const insecure = grpc.credentials.createInsecure();
    toMessageServer = new grpc.Client(messageServer.address, insecure);
    toPassThroughServer = new grpc.Client(passThroughServer.address, insecure);
  });

  afterAll(() => {
    toMessageServer.close();
    toPassThroughServer.close();
    messageServer.server.forceShutdown();
    passThroughServer.server.forceShutdown();
  });

  it('every method carries its messages and the Commands answer', async () => {
    for (const definition of Object.values(messageServices)) {
      for (const method of Object.values(definition) as grpc.MethodDefinition<
        unknown,
        Commands
      >[]) {
        const requests = requestsFor[method.path]!();
        const answer = await call(toMessageServer, method, requests);
        expect(answer).toEqual(answerFor(method.path));
        expect(messageServer.received.get(method.path)).toEqual(requests);
      }
    }
  });

  it('works with clients from grpc.makeClientConstructor', async () => {
    const Management = grpc.makeClientConstructor(ManagementServiceDefinition, 'ManagementService');
    const client = new Management(messageServer.address, grpc.credentials.createInsecure());
    const ping = { service: 'svc', serviceInstance: 'inst', layer: 'GENERAL' };
    const keepAlive = client['keepAlive'] as (
      request: typeof ping,
      callback: (error: grpc.ServiceError | null, response: Commands) => void,
    ) => grpc.ClientUnaryCall;
    const answer = await new Promise<Commands>((resolve, reject) => {
      keepAlive.call(client, ping, (error, response) =>
        error ? reject(error) : resolve(response),
      );
    });
    client.close();
    expect(answer).toEqual(answerFor(ManagementServiceDefinition.keepAlive.path));
    expect(messageServer.received.get(ManagementServiceDefinition.keepAlive.path)).toContainEqual(
      ping,
    );
  });

  it('pass-through clients write pre-encoded frames that a decoding server reads', async () => {
    const segments = sample(arb.segmentObject, 4);
    const logs = sample(arb.logData, 4);
    const meters = sample(arb.meterData, 2);
    const batches = sample(arb.meterDataCollection, 2);
    const events = sample(arb.event, 2);
    const collect = TraceSegmentReportServicePassThroughDefinition.collect;
    await call(toMessageServer, collect, segments.map(encodeSegmentObject));
    const inSync = TraceSegmentReportServicePassThroughDefinition.collectInSync;
    await call(toMessageServer, inSync, [
      encodeSegmentCollection(segments.map(encodeSegmentObject)),
    ]);
    await call(
      toMessageServer,
      LogReportServicePassThroughDefinition.collect,
      logs.map(encodeLogData),
    );
    await call(
      toMessageServer,
      MeterReportServicePassThroughDefinition.collect,
      meters.map((m) => MeterData.encode(m).finish()),
    );
    await call(
      toMessageServer,
      MeterReportServicePassThroughDefinition.collectBatch,
      batches.map((b) => MeterDataCollection.encode(b).finish()),
    );
    const answer = await call(
      toMessageServer,
      EventServicePassThroughDefinition.collect,
      events.map((e) => Event.encode(e).finish()),
    );
    expect(answer).toEqual(answerFor(EventServicePassThroughDefinition.collect.path));

    const received = messageServer.received;
    expect(received.get(collect.path)?.slice(-4)).toEqual(segments);
    expect(received.get(inSync.path)?.at(-1)).toEqual({ segments });
    expect(received.get(LogReportServicePassThroughDefinition.collect.path)?.slice(-4)).toEqual(
      logs,
    );
    expect(received.get(MeterReportServicePassThroughDefinition.collect.path)?.slice(-2)).toEqual(
      meters,
    );
    expect(
      received.get(MeterReportServicePassThroughDefinition.collectBatch.path)?.slice(-2),
    ).toEqual(batches);
    expect(received.get(EventServicePassThroughDefinition.collect.path)?.slice(-2)).toEqual(events);
  });

  it('pass-through servers receive each request message as its exact bytes', async () => {
    const segments = sample(arb.segmentObject, 3);
    await call(toPassThroughServer, TraceSegmentReportServiceDefinition.collect, segments);
    const frames = passThroughServer.received.get(TraceSegmentReportServiceDefinition.collect.path);
    expect(frames).toEqual(segments.map((s) => Buffer.from(encodeSegmentObject(s))));
    expect((frames as Uint8Array[]).map((frame) => SegmentObject.decode(frame))).toEqual(segments);

    const collection = { segments };
    await call(toPassThroughServer, TraceSegmentReportServiceDefinition.collectInSync, [
      collection,
    ]);
    const [bytes] = passThroughServer.received.get(
      TraceSegmentReportServiceDefinition.collectInSync.path,
    ) as Uint8Array[];
    expect(SegmentCollection.decode(bytes!)).toEqual(collection);

    const logs = sample(arb.logData, 2);
    await call(toPassThroughServer, LogReportServiceDefinition.collect, logs);
    const logFrames = passThroughServer.received.get(LogReportServiceDefinition.collect.path);
    expect((logFrames as Uint8Array[]).map((frame) => LogData.decode(frame))).toEqual(logs);
  });
});
