import {
  Metadata,
  status,
  type handleClientStreamingCall,
  type handleUnaryCall,
  type sendUnaryData,
  type ServerErrorResponse,
  type ServerReadableStream,
  type ServerUnaryCall,
} from '@grpc/grpc-js';
import type { Commands } from '@windsock/protocol';
import { type ServiceFaults, type ServiceName } from './fault.js';
import { type CollectorStore, type ItemKind, type RequestRecord } from './store.js';
import { type TimerSet } from './timers.js';

/** The metadata header carrying gRPC's pushback hint (gRFC A6): how long the client should wait before retrying. */
export const RETRY_PUSHBACK_HEADER = 'grpc-retry-pushback-ms';

/** What every call handler shares: where acknowledged data goes and which faults are in force right now. */
export interface CallEnvironment {
  store: CollectorStore;
  faultsOf(service: ServiceName): ServiceFaults;
  dropConnection(peer: string): void;
  isConnected(peer: string): boolean;
  onDisconnect(peer: string, listener: () => void): () => void;
  random(): number;
  timers: TimerSet;
}

/** The request metadata an acknowledging method may use. */
export interface CallMetadata {
  authentication?: string;
  agentVersion?: string;
}

/** One report method: which service it belongs to, what its messages count as, and what acknowledging does. */
export interface ReportMethod<Request> {
  service: ServiceName;
  kind: ItemKind;
  /** How many items one request message carries (a `SegmentCollection` carries many segments). */
  itemsIn(message: Request): number;
  /** Stores the messages of an acknowledged call and builds the response. */
  acknowledge(messages: Request[], metadata: CallMetadata): Commands;
}

type ReceivingCall<Request> =
  ServerReadableStream<Request, Commands> | ServerUnaryCall<Request, Commands>;

/**
 * The life of one call under the faults in force: admit (auth), receive (reset), answer (delay, fail, acknowledge).
 * Exactly one outcome is recorded per call, whichever of the answer, a fault, a cancellation or the loss of the
 * connection comes first; the items of a call count as received only when the collector answers it OK.
 */
class CallLifecycle<Request> {
  private settled = false;
  private readonly messages: Request[] = [];
  private readonly record: RequestRecord;
  private readonly metadata: CallMetadata;
  private readonly peer: string;
  private readonly stopWatchingConnection: () => void;

  constructor(
    private readonly env: CallEnvironment,
    private readonly method: ReportMethod<Request>,
    private readonly call: ReceivingCall<Request>,
    private readonly callback: sendUnaryData<Commands>,
  ) {
    this.peer = call.getPeer();
    this.metadata = readMetadata(call.metadata);
    this.record = env.store.beginRequest({
      method: call.getPath(),
      peer: this.peer,
      ...this.metadata,
    });
    this.stopWatchingConnection = env.onDisconnect(this.peer, () => this.abort());
  }

  /** Checks the token; answers UNAUTHENTICATED and returns false when it is missing or wrong. */
  admit(): boolean {
    const { token } = this.env.faultsOf(this.method.service);
    if (token === undefined || this.metadata.authentication === token) return true;
    const problem = this.metadata.authentication === undefined ? 'missing' : 'wrong';
    this.reject(status.UNAUTHENTICATED, `${problem} authentication token`);
    return false;
  }

  /** Takes one message and applies `reset`; returns false once the call is over. */
  receive(message: Request): boolean {
    if (this.settled) return false;
    this.messages.push(message);
    const { resetAfterMessages } = this.env.faultsOf(this.method.service);
    if (resetAfterMessages === undefined || this.messages.length <= resetAfterMessages) return true;
    this.abort();
    this.env.dropConnection(this.peer);
    return false;
  }

  /** The client finished sending: answer, after the configured delay. */
  finish(): void {
    if (this.settled) return;
    const { delayMs } = this.env.faultsOf(this.method.service);
    if (delayMs === undefined || delayMs <= 0) this.respond();
    else this.env.timers.schedule(() => this.respond(), delayMs);
  }

  /** The call ended without an answer: cancelled by the client or its connection dropped. */
  abort(): void {
    if (this.settled) return;
    this.countUnacknowledged();
    this.settle('aborted');
  }

  private respond(): void {
    if (this.settled) return;
    // A dropped connection can still deliver the end of a stream; an OK written to it would reach nobody.
    if (this.call.cancelled || !this.env.isConnected(this.peer)) {
      this.abort();
      return;
    }
    const { fail } = this.env.faultsOf(this.method.service);
    if (fail !== undefined && this.env.random() < fail.ratio) {
      const message = fail.message ?? `windsock-collector fault: ${status[fail.code]}`;
      this.reject(fail.code, message, fail.pushbackMs);
      return;
    }
    const response = this.method.acknowledge(this.messages, this.metadata);
    this.settle('acknowledged');
    this.callback(null, response);
  }

  private reject(code: status, details: string, pushbackMs?: number): void {
    if (this.settled) return;
    const trailers = new Metadata();
    if (pushbackMs !== undefined) trailers.set(RETRY_PUSHBACK_HEADER, String(pushbackMs));
    this.countUnacknowledged();
    this.settle('rejected');
    const error: Partial<ServerErrorResponse> = { code, details, metadata: trailers };
    this.callback(error, null);
  }

  private countUnacknowledged(): void {
    let items = 0;
    for (const message of this.messages) items += this.method.itemsIn(message);
    this.env.store.countUnacknowledged(this.method.kind, items);
  }

  private settle(outcome: 'acknowledged' | 'rejected' | 'aborted'): void {
    this.settled = true;
    this.stopWatchingConnection();
    this.env.store.settle(this.record, outcome);
  }
}

/** A handler for a client-streaming report method (`collect`): messages are kept until the stream ends. */
export function clientStreamingHandler<Request>(
  env: CallEnvironment,
  method: ReportMethod<Request>,
): handleClientStreamingCall<Request, Commands> {
  return (call, callback) => {
    const lifecycle = new CallLifecycle(env, method, call, callback);
    // Listeners first: a stream without an 'error' listener would throw into the process.
    call.on('error', () => lifecycle.abort());
    call.on('cancelled', () => lifecycle.abort());
    if (!lifecycle.admit()) return;
    call.on('data', (message: Request) => lifecycle.receive(message));
    call.on('end', () => lifecycle.finish());
  };
}

/** A handler for a unary method; its request is one message. */
export function unaryHandler<Request>(
  env: CallEnvironment,
  method: ReportMethod<Request>,
): handleUnaryCall<Request, Commands> {
  return (call, callback) => {
    const lifecycle = new CallLifecycle(env, method, call, callback);
    call.on('cancelled', () => lifecycle.abort());
    // The request is read before admission so a rejected unary call still counts its item as unacknowledged.
    if (!lifecycle.receive(call.request)) return;
    if (!lifecycle.admit()) return;
    lifecycle.finish();
  };
}

function readMetadata(metadata: Metadata): CallMetadata {
  const read = (key: string): string | undefined => {
    const value = metadata.get(key)[0];
    return value === undefined ? undefined : value.toString();
  };
  const authentication = read('authentication');
  const agentVersion = read('agent-version');
  return {
    ...(authentication === undefined ? {} : { authentication }),
    ...(agentVersion === undefined ? {} : { agentVersion }),
  };
}
