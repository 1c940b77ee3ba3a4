import { createServer, type Server as NetServer, type Socket } from 'node:net';
import {
  type sendUnaryData,
  Server,
  ServerCredentials,
  type ServerUnaryCall,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { type BackendState } from './backend-state.js';
import { countSpans } from './otlp-wire.js';

/** The one method the OpenTelemetry OTLP/gRPC trace exporter calls. */
export const OTLP_TRACE_EXPORT_PATH = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';

/** An encoded empty `ExportTraceServiceResponse`: full success, no `partial_success`. */
const EMPTY_RESPONSE = Buffer.alloc(0);

export interface OtlpSink {
  /** `127.0.0.1:port`, stable across state switches. */
  readonly address: string;
  readonly port: number;
  /** Spans in the Export calls answered OK. */
  spans(): number;
  /** Export calls answered OK. */
  exports(): number;
  setState(state: BackendState): Promise<void>;
  /** Forgets the counts (the state stays). */
  clear(): void;
  stop(): Promise<void>;
}

/**
 * A minimal OTLP trace receiver: a real grpc-js server with the `TraceService/Export` method that counts the spans it
 * acknowledges. Like `@windsock/collector`, it owns the TCP listener and hands connections to grpc-js, so it can stop
 * listening (`refused`), hold connections without answering (`blackhole`) and come back on the same port (`up`).
 */
export async function startOtlpSink(
  options: { host?: string; port?: number } = {},
): Promise<OtlpSink> {
  const host = options.host ?? '127.0.0.1';
  let port = options.port ?? 0;
  let spans = 0;
  let exports = 0;

  const grpcServer = new Server();
  const handlers: UntypedServiceImplementation = {
    Export(call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>) {
      let count: number;
      try {
        count = countSpans(call.request);
      } catch (error) {
        callback({ code: 3, details: (error as Error).message });
        return;
      }
      spans += count;
      exports += 1;
      callback(null, EMPTY_RESPONSE);
    },
  };
  grpcServer.addService(
    {
      Export: {
        path: OTLP_TRACE_EXPORT_PATH,
        requestStream: false,
        responseStream: false,
        // Keep the request as bytes: the sink counts spans on the wire format.
        requestDeserialize: (bytes: Buffer) => bytes,
        requestSerialize: (bytes: Buffer) => bytes,
        responseSerialize: (bytes: Buffer) => bytes,
        responseDeserialize: (bytes: Buffer) => bytes,
      },
    },
    handlers,
  );
  const injector = grpcServer.createConnectionInjector(ServerCredentials.createInsecure());

  let state: BackendState = 'refused';
  let listener: NetServer | undefined;
  const sockets = new Set<Socket>();

  const onConnection = (socket: Socket) => {
    socket.on('error', () => {});
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    // In blackhole mode the socket is held: never read, never answered, not even the HTTP/2 preface.
    if (state === 'up') injector.injectConnection(socket);
  };

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const server = createServer(onConnection);
      server.once('error', reject);
      server.listen({ host, port }, () => {
        server.off('error', reject);
        server.on('error', () => {});
        const address = server.address();
        if (address !== null && typeof address === 'object') port = address.port;
        listener = server;
        resolve();
      });
    });

  const stopListening = () =>
    new Promise<void>((resolve) => {
      const server = listener;
      listener = undefined;
      if (server === undefined) resolve();
      else server.close(() => resolve());
    });

  const setState = async (next: BackendState) => {
    if (next === state) return;
    // A backend that goes away or hangs does not keep serving old connections: clients must reconnect into it.
    for (const socket of sockets) socket.destroy();
    sockets.clear();
    state = next;
    if (next === 'refused') await stopListening();
    else if (listener === undefined) await listen();
  };

  await setState('up');

  return {
    get address() {
      return `${host}:${port}`;
    },
    get port() {
      return port;
    },
    spans: () => spans,
    exports: () => exports,
    setState,
    clear() {
      spans = 0;
      exports = 0;
    },
    async stop() {
      await setState('refused');
      injector.destroy();
      grpcServer.forceShutdown();
    },
  };
}
