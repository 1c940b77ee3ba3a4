// A minimal SkyWalking agent-side gRPC client for the tests, built on the protocol package's service definitions:
// it writes messages the way an agent does and surfaces gRPC errors unchanged.
import {
  type CallOptions,
  Client,
  type ChannelCredentials,
  type MethodDefinition,
  type ClientWritableStream,
  credentials,
  Metadata,
  type ServiceError,
} from '@grpc/grpc-js';
import type { Commands } from '@windsock/protocol';

export interface AgentClientOptions {
  credentials?: ChannelCredentials;
  metadata?: Record<string, string>;
  /** e.g. `grpc.ssl_target_name_override` for test certificates. */
  channelOptions?: Record<string, string | number>;
}

export interface OpenStream<Request> {
  call: ClientWritableStream<Request>;
  write(message: Request): void;
  end(): void;
  result: Promise<Commands>;
}

export class AgentClient {
  private readonly client: Client;
  private readonly metadata: Record<string, string>;

  constructor(address: string, options: AgentClientOptions = {}) {
    this.client = new Client(
      address,
      options.credentials ?? credentials.createInsecure(),
      options.channelOptions ?? {},
    );
    this.metadata = options.metadata ?? {};
  }

  unary<Request>(
    method: MethodDefinition<Request, Commands>,
    request: Request,
    callOptions: CallOptions = {},
  ): Promise<Commands> {
    return new Promise((resolve, reject) => {
      this.client.makeUnaryRequest(
        method.path,
        method.requestSerialize,
        method.responseDeserialize,
        request,
        this.buildMetadata(),
        callOptions,
        (error: ServiceError | null, response?: Commands) => {
          if (error) reject(error);
          else resolve(response!);
        },
      );
    });
  }

  open<Request>(
    method: MethodDefinition<Request, Commands>,
    callOptions: CallOptions = {},
  ): OpenStream<Request> {
    let call!: ClientWritableStream<Request>;
    const result = new Promise<Commands>((resolve, reject) => {
      call = this.client.makeClientStreamRequest(
        method.path,
        method.requestSerialize,
        method.responseDeserialize,
        this.buildMetadata(),
        callOptions,
        (error: ServiceError | null, response?: Commands) => {
          if (error) reject(error);
          else resolve(response!);
        },
      );
    });
    // Write errors surface through the callback as the call's status; keep them off the process.
    call.on('error', () => {});
    return {
      call,
      write: (message) => call.write(message),
      end: () => call.end(),
      result,
    };
  }

  stream<Request>(
    method: MethodDefinition<Request, Commands>,
    messages: readonly Request[],
    callOptions: CallOptions = {},
  ): Promise<Commands> {
    const stream = this.open(method, callOptions);
    for (const message of messages) stream.write(message);
    stream.end();
    return stream.result;
  }

  close(): void {
    this.client.close();
  }

  private buildMetadata(): Metadata {
    const metadata = new Metadata();
    for (const [key, value] of Object.entries(this.metadata)) metadata.set(key, value);
    return metadata;
  }
}

/** The error of a rejected call, typed for assertions. */
export async function callError(promise: Promise<unknown>): Promise<ServiceError> {
  try {
    await promise;
  } catch (error) {
    return error as ServiceError;
  }
  throw new Error('expected the call to fail, but it succeeded');
}
