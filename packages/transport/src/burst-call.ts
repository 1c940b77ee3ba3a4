// A client-streaming gRPC call whose messages are written in one burst. grpc-js writes a client stream one message
// per event-loop turn: each `write()` waits for the previous one's HTTP/2 write callback. With an application keeping
// the loop busy for a millisecond per turn, a 500-line log batch then takes about half a second (RELIABILITY.md has
// the figures), and logs, which SkyWalking only accepts as a stream of single `LogData` messages, cannot keep up with
// a busy service. Here every message of the batch is framed (gRPC's 5-byte length
// prefix) into one buffer and written once on a plain `node:http2` stream; the server cannot tell the difference.
import http2, { type ClientHttp2Stream, type IncomingHttpHeaders } from 'node:http2';
import { status } from '@grpc/grpc-js';
import { type Commands } from '@windsock/protocol';
import { type ActiveCall, type CallSpec, describeStatus, failure } from './call.js';
import { classifyFailure, parsePushback } from './classification.js';
import { type BurstSession, SessionUnavailable } from './burst-session.js';
import { describeError, type TransportResult } from './results.js';

const { NGHTTP2_CANCEL, NGHTTP2_NO_ERROR, NGHTTP2_REFUSED_STREAM } = http2.constants;

/**
 * Runs one client-streaming call on `connection`, all messages in one write; resolves to a result, never rejects.
 * The retry advice follows the grpc-js path's rules: nothing written (no connection, no HTTP/2 handshake, stream
 * refused) is `safe`; a stream that was opened may have delivered its data, so its failures are `unsafe`.
 */
export async function invokeBurst<Request>(
  connection: BurstSession,
  backend: string,
  spec: CallSpec<Request>,
  track: (call: ActiveCall) => () => void,
  userAgent: string,
): Promise<TransportResult> {
  if (spec.signal?.aborted === true) {
    return failure(
      backend,
      status.CANCELLED,
      'CANCELLED: the call was aborted before it started',
      'safe',
    );
  }
  // The process stays alive from here (connecting included) until the call settles; see BurstSession.hold.
  const release = connection.hold();
  try {
    const deadline = Date.now() + spec.deadlineMs;
    let session;
    try {
      session = await connection.connected(spec.deadlineMs, spec.signal);
    } catch (error) {
      return notConnected(backend, error, aborted(spec.signal));
    }
    const remainingMs = deadline - Date.now();
    if (remainingMs <= 0) {
      return failure(
        backend,
        status.DEADLINE_EXCEEDED,
        'DEADLINE_EXCEEDED: before the call started',
        'safe',
      );
    }
    let body: Buffer;
    try {
      body = frame(spec);
    } catch (error) {
      const reason = describeError(error);
      return failure(
        backend,
        status.INTERNAL,
        `INTERNAL: cannot serialize the request: ${reason}`,
        'never',
      );
    }
    let stream: ClientHttp2Stream;
    try {
      stream = session.request(headersFor(spec, remainingMs, userAgent), { endStream: false });
    } catch (error) {
      // The session is closing (GOAWAY, or destroyed between the handshake and now): nothing was sent.
      return failure(backend, status.UNAVAILABLE, `UNAVAILABLE: ${describeError(error)}`, 'safe');
    }
    const seen = await exchange(stream, body, remainingMs, spec.signal, track);
    return outcome(backend, spec, seen, stream.rstCode);
  } finally {
    release();
  }
}

/**
 * Writes the batch on `stream` and collects what comes back until the stream closes: at its deadline, when the
 * caller aborts or the transport closes (both cancel it), or when the server ends it. Never rejects.
 */
function exchange(
  stream: ClientHttp2Stream,
  body: Buffer,
  deadlineMs: number,
  signal: AbortSignal | undefined,
  track: (call: ActiveCall) => () => void,
): Promise<Seen> {
  return new Promise<Seen>((resolve) => {
    const seen: Seen = { opened: false, chunks: [], timedOut: false, aborted: false };
    const cancel = (): void => {
      if (!stream.closed) stream.close(NGHTTP2_CANCEL);
    };
    const onAbort = (): void => {
      seen.aborted = true;
      cancel();
    };
    const untrack = track({ cancel: onAbort });
    const timer = setTimeout(() => {
      seen.timedOut = true;
      cancel();
    }, deadlineMs);
    timer.unref();
    signal?.addEventListener('abort', onAbort, { once: true });
    // On a connected session the stream gets its id inside `request()`, before a 'ready' listener could be added.
    if (stream.pending) stream.once('ready', () => (seen.opened = true));
    else seen.opened = true;
    stream.on('response', (headers: IncomingHttpHeaders) => (seen.headers = headers));
    stream.on('trailers', (trailers: IncomingHttpHeaders) => (seen.trailers = trailers));
    stream.on('data', (chunk: Buffer) => seen.chunks.push(chunk));
    // Handled: an unhandled 'error' event would throw into the application. The outcome is read at 'close'.
    stream.on('error', (error: Error) => (seen.error = error));
    stream.on('close', () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      untrack();
      resolve(seen);
    });
    stream.end(body);
  });
}

interface Seen {
  /** The stream got its id: its headers, and from then its data, may be on the wire. */
  opened: boolean;
  headers?: IncomingHttpHeaders;
  trailers?: IncomingHttpHeaders;
  chunks: Buffer[];
  error?: Error;
  timedOut: boolean;
  aborted: boolean;
}

/** gRPC's wire framing of a client stream: per message, a compression flag (0), its length (uint32 BE), its bytes. */
function frame<Request>(spec: CallSpec<Request>): Buffer {
  const messages = spec.messages.map((message) => spec.method.requestSerialize(message));
  let total = 0;
  for (const message of messages) total += 5 + message.length;
  const body = Buffer.allocUnsafe(total);
  let offset = 0;
  for (const message of messages) {
    body[offset] = 0;
    body.writeUInt32BE(message.length, offset + 1);
    body.set(message, offset + 5);
    offset += 5 + message.length;
  }
  return body;
}

function headersFor<Request>(
  spec: CallSpec<Request>,
  remainingMs: number,
  userAgent: string,
): http2.OutgoingHttpHeaders {
  const headers: http2.OutgoingHttpHeaders = {
    ':method': 'POST',
    ':path': spec.method.path,
    'content-type': 'application/grpc',
    te: 'trailers',
    'grpc-timeout': `${Math.min(99_999_999, Math.max(1, Math.ceil(remainingMs)))}m`,
    'user-agent': userAgent,
  };
  for (const [key, value] of Object.entries(spec.metadata.getMap())) {
    headers[key] = typeof value === 'string' ? value : value.toString('base64');
  }
  return headers;
}

function notConnected(backend: string, error: unknown, aborted: boolean): TransportResult {
  if (aborted) {
    return failure(
      backend,
      status.CANCELLED,
      'CANCELLED: aborted before the connection was up',
      'safe',
    );
  }
  const reason = describeError(error);
  if (error instanceof SessionUnavailable && error.timedOut) {
    return failure(backend, status.DEADLINE_EXCEEDED, `DEADLINE_EXCEEDED: ${reason}`, 'safe');
  }
  return failure(backend, status.UNAVAILABLE, `UNAVAILABLE: ${reason}`, 'safe');
}

function outcome<Request>(
  backend: string,
  spec: CallSpec<Request>,
  seen: Seen,
  rstCode: number | undefined,
): TransportResult {
  // Trailers carry the status; a "trailers-only" answer (how servers fail a call at once) carries it in the headers.
  const final = seen.trailers?.['grpc-status'] !== undefined ? seen.trailers : seen.headers;
  const grpcStatus = final?.['grpc-status'];
  if (grpcStatus !== undefined) {
    const code = Number(grpcStatus);
    if (code === Number(status.OK))
      return { ok: true, commands: commandsIn(spec, seen.chunks), backend };
    const pushbackMs = parsePushback(header(final, 'grpc-retry-pushback-ms'));
    const details = decodeMessage(header(final, 'grpc-message')) || 'the backend failed the call';
    return failed(backend, code, details, true, pushbackMs);
  }
  if (seen.timedOut)
    return failed(backend, status.DEADLINE_EXCEEDED, 'deadline exceeded', seen.opened);
  if (seen.aborted) return failed(backend, status.CANCELLED, 'the call was cancelled', seen.opened);
  // Node gives `:status` as a number, though its header type says string.
  const httpStatus = seen.headers === undefined ? 200 : Number(seen.headers[':status']);
  if (httpStatus !== 200) {
    return failed(backend, codeForHttp(httpStatus), `HTTP status ${httpStatus}`, true);
  }
  if (rstCode === NGHTTP2_REFUSED_STREAM) {
    // RFC 9113 §8.7: a refused stream was not processed; it may be sent again.
    return failed(backend, status.UNAVAILABLE, 'the backend refused the stream', false);
  }
  const reason = seen.error?.message ?? 'the stream closed before the call ended';
  const rst =
    rstCode !== undefined && rstCode !== NGHTTP2_NO_ERROR ? ` (RST_STREAM ${rstCode})` : '';
  return failed(backend, status.UNAVAILABLE, `${reason}${rst}`, seen.opened);
}

function failed(
  backend: string,
  code: number,
  details: string,
  mayHaveReachedServer: boolean,
  pushbackMs?: number,
): TransportResult {
  const retry = classifyFailure({ code, mayHaveReachedServer, pushbackMs });
  return failure(backend, code, describeStatus(code, details), retry, pushbackMs);
}

/**
 * The commands of an OK answer. The status already says the backend took the data, so an answer that cannot be
 * read (it never happens with OAP) still counts as delivered, with no commands, rather than as a failure that
 * would drop data the backend has.
 */
function commandsIn<Request>(spec: CallSpec<Request>, chunks: Buffer[]): Commands['commands'] {
  const body = Buffer.concat(chunks);
  if (body.length < 5 || body[0] !== 0) return [];
  const length = body.readUInt32BE(1);
  if (body.length < 5 + length) return [];
  try {
    return spec.method.responseDeserialize(body.subarray(5, 5 + length)).commands;
  } catch {
    return [];
  }
}

/** Read through a function: TypeScript would keep the narrowing of a check made before an `await`. */
function aborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

function header(headers: IncomingHttpHeaders | undefined, name: string): string | undefined {
  const value = headers?.[name];
  return Array.isArray(value) ? value[0] : value;
}

/** `grpc-message` is percent-encoded (gRPC over HTTP/2 spec). */
function decodeMessage(value: string | undefined): string {
  if (value === undefined) return '';
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** The gRPC spec's mapping for answers without a gRPC status (a proxy in the way, not OAP). */
function codeForHttp(httpStatus: number): number {
  switch (httpStatus) {
    case 400:
      return status.INTERNAL;
    case 401:
      return status.UNAUTHENTICATED;
    case 403:
      return status.PERMISSION_DENIED;
    case 404:
      return status.UNIMPLEMENTED;
    case 429:
    case 502:
    case 503:
    case 504:
      return status.UNAVAILABLE;
    default:
      return status.UNKNOWN;
  }
}
