import {
  type Client,
  type ClientUnaryCall,
  type ClientWritableStream,
  type Metadata,
  type MethodDefinition,
  type ServiceError,
  status,
} from '@grpc/grpc-js';
import { type Commands } from '@windsock/protocol';
import { classifyFailure, parsePushback } from './classification.js';
import { describeError, type TransportFailure, type TransportResult } from './results.js';

const PUSHBACK_HEADER = 'grpc-retry-pushback-ms';

/** One call to make: which method, what to write, until when. */
export interface CallSpec<Request> {
  method: MethodDefinition<Request, Commands>;
  /** One message for a unary method; the stream's messages for a client-streaming one. */
  messages: readonly Request[];
  deadlineMs: number;
  metadata: Metadata;
  signal?: AbortSignal | undefined;
}

/** A call in flight that `close()` can cancel. */
export interface ActiveCall {
  cancel(): void;
}

/**
 * Runs one call on `client` and resolves to a result; never rejects. `track` registers the call while it is in
 * flight (so the transport can cancel it on close) and returns the function that unregisters it.
 */
export function invoke<Request>(
  client: Client,
  backend: string,
  spec: CallSpec<Request>,
  track: (call: ActiveCall) => () => void,
): Promise<TransportResult> {
  if (spec.signal?.aborted === true) {
    return Promise.resolve(
      failure(backend, status.CANCELLED, 'the call was aborted before it started', 'safe'),
    );
  }
  return new Promise<TransportResult>((resolve) => {
    let answered = false;
    let call: ClientUnaryCall | ClientWritableStream<Request> | undefined;
    const onAbort = (): void => call?.cancel();
    const untrack = track({ cancel: onAbort });
    const done = (error: ServiceError | null, response: Commands | undefined): void => {
      untrack();
      spec.signal?.removeEventListener('abort', onAbort);
      if (error === null && response !== undefined) {
        resolve({ ok: true, commands: response.commands, backend });
        return;
      }
      resolve(failureOf(error, backend, answered || reachedPeer(client, call)));
    };
    // waitForReady false: on a broken channel the call fails at once instead of waiting, unbounded, in grpc-js.
    const options = { deadline: Date.now() + spec.deadlineMs, waitForReady: false };
    const { method } = spec;
    try {
      if (method.requestStream) {
        const stream = client.makeClientStreamRequest(
          method.path,
          method.requestSerialize,
          method.responseDeserialize,
          spec.metadata.clone(),
          options,
          done,
        );
        call = stream;
        // Response headers prove the server saw the call, whatever happens next.
        stream.on('metadata', () => (answered = true));
        for (const message of spec.messages) stream.write(message);
        stream.end();
      } else {
        call = client.makeUnaryRequest(
          method.path,
          method.requestSerialize,
          method.responseDeserialize,
          spec.messages[0] as Request,
          spec.metadata.clone(),
          options,
          done,
        );
        call.on('metadata', () => (answered = true));
      }
    } catch (error) {
      // grpc-js throws synchronously only for a closed channel or a serializer error: nothing was sent.
      untrack();
      const reason = describeError(error);
      resolve(failure(backend, status.UNAVAILABLE, `the call could not start: ${reason}`, 'never'));
      return;
    }
    spec.signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Whether grpc-js opened an HTTP/2 stream for the call. Until it does, `getPeer()` answers the channel target
 * (`dns:host:port`) or `unknown`; once a connected transport carries the call it answers that connection's remote
 * address. A stream means headers (and, for a unary call, the request) may be on the wire.
 */
function reachedPeer(client: Client, call: { getPeer(): string } | undefined): boolean {
  if (call === undefined) return false;
  const peer = call.getPeer();
  return peer !== 'unknown' && peer !== client.getChannel().getTarget();
}

function failureOf(
  error: ServiceError | null,
  backend: string,
  mayHaveReachedServer: boolean,
): TransportFailure {
  const code = error?.code ?? status.INTERNAL;
  const details = error?.details ?? 'the call ended without a response';
  const pushbackMs = parsePushback(error?.metadata?.get(PUSHBACK_HEADER)[0]);
  const retry = classifyFailure({ code, mayHaveReachedServer, pushbackMs });
  return failure(backend, code, describeStatus(code, details), retry, pushbackMs);
}

export function failure(
  backend: string,
  code: number,
  message: string,
  retry: TransportFailure['retry'],
  pushbackMs?: number,
): TransportFailure {
  return {
    ok: false,
    code,
    message,
    retry,
    ...(pushbackMs === undefined ? {} : { pushbackMs }),
    backend,
  };
}

const HINTS: Partial<Record<number, string>> = {
  [status.UNAUTHENTICATED]:
    'the backend rejected the authentication token; check the `authentication` option against OAP',
  [status.PERMISSION_DENIED]: 'the backend denied permission for this call',
  [status.UNIMPLEMENTED]: 'the backend does not implement this SkyWalking service',
};

/** `UNAUTHENTICATED: wrong authentication token (hint)`: the code's name first so logs read well. */
export function describeStatus(code: number, details: string): string {
  const name = status[code] ?? `status ${code}`;
  const hint = HINTS[code];
  return hint === undefined ? `${name}: ${details}` : `${name}: ${details} (${hint})`;
}
