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
 * Exactly one outcome is recorded per call, whichever of the answer, a fault or a cancellation comes first; the
 * items of a call count as received only when the collector answers it OK.
 */
class CallLifecycle<Request> {
  private settled = false;
  private readonly record: RequestRecord;
  private readonly metadata: CallMetadata;
  private readonly peer: string;

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
  }

  get isSettled(): boolean {
    return this.settled;
  }

  /** Checks the token; answers UNAUTHENTICATED and returns false when it is missing or wrong. */
  admit(messages: Request[]): boolean {
    const { token } = this.env.faultsOf(this.method.service);
    if (token === undefined || this.metadata.authentication === token) return true;
    const problem = this.metadata.authentication === undefined ? 'missing' : 'wrong';
    this.reject(messages, status.UNAUTHENTICATED, `${problem} authentication token`);
    return false;
  }

  /** Applies `reset` after each message; returns false when it dropped the connection. */
  received(messages: Request[]): boolean {
    const { resetAfterMessages } = this.env.faultsOf(this.method.service);
    if (resetAfterMessages === undefined || messages.length <= resetAfterMessages) return true;
    this.abort(messages);
    this.env.dropConnection(this.peer);
    return false;
  }

  /** The client finished sending: answer, after the configured delay. */
  finish(messages: Request[]): void {
    if (this.settled) return;
    const { delayMs } = this.env.faultsOf(this.method.service);
    if (delayMs === undefined || delayMs <= 0) this.respond(messages);
    else this.env.timers.schedule(() => this.respond(messages), delayMs);
  }

  /** The call ended without an answer: cancelled by the client or its connection dropped. */
  abort(messages: Request[]): void {
    if (this.settled) return;
    this.countUnacknowledged(messages);
    this.settle('aborted');
  }

  private respond(messages: Request[]): void {
    if (this.settled) return;
    if (this.call.cancelled) {
      this.abort(messages);
      return;
    }
    const { fail } = this.env.faultsOf(this.method.service);
    if (fail !== undefined && this.env.random() < fail.ratio) {
      const message = fail.message ?? `windsock-collector fault: ${status[fail.code]}`;
      this.reject(messages, fail.code, message, fail.pushbackMs);
      return;
    }
    const response = this.method.acknowledge(messages, this.metadata);
    this.settle('acknowledged');
    this.callback(null, response);
  }

  private reject(messages: Request[], code: status, details: string, pushbackMs?: number): void {
    if (this.settled) return;
    const trailers = new Metadata();
    if (pushbackMs !== undefined) trailers.set(RETRY_PUSHBACK_HEADER, String(pushbackMs));
    this.countUnacknowledged(messages);
    this.settle('rejected');
    const error: Partial<ServerErrorResponse> = { code, details, metadata: trailers };
    this.callback(error, null);
  }

  private countUnacknowledged(messages: Request[]): void {
    let items = 0;
    for (const message of messages) items += this.method.itemsIn(message);
    this.env.store.countUnacknowledged(this.method.kind, items);
  }

  private settle(outcome: 'acknowledged' | 'rejected' | 'aborted'): void {
    this.settled = true;
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
    const messages: Request[] = [];
    // Listeners first: a stream without an 'error' listener would throw into the process.
    call.on('error', () => lifecycle.abort(messages));
    call.on('cancelled', () => lifecycle.abort(messages));
    if (!lifecycle.admit(messages)) return;
    call.on('data', (message: Request) => {
      if (lifecycle.isSettled) return;
      messages.push(message);
      lifecycle.received(messages);
    });
    call.on('end', () => lifecycle.finish(messages));
  };
}

/** A handler for a unary method; its request is one message. */
export function unaryHandler<Request>(
  env: CallEnvironment,
  method: ReportMethod<Request>,
): handleUnaryCall<Request, Commands> {
  return (call, callback) => {
    const lifecycle = new CallLifecycle(env, method, call, callback);
    const messages = [call.request];
    call.on('cancelled', () => lifecycle.abort(messages));
    if (!lifecycle.admit(messages)) return;
    if (!lifecycle.received(messages)) return;
    lifecycle.finish(messages);
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
