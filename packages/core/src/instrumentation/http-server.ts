import { type IncomingMessage, type ServerResponse } from 'node:http';
import { type TLSSocket } from 'node:tls';
import { ComponentId, SpanLayer } from '@windsock/protocol';
import { contextStorage, SUPPRESSED } from '../tracing/context.js';
import { type SpanRecord } from '../tracing/span.js';
import { type InstrumentedTracer, pathOf } from './instrumented-tracer.js';

interface ServerMessage {
  request: IncomingMessage;
  response: ServerResponse;
}

/**
 * One entry span per incoming request (`GET:/path`, the Apache Node.js agent's operation name).
 *
 * `http.server.request.start` is published synchronously just before the server emits `'request'`, in the async
 * context the handler will run in, so `enterWith` there makes the span active for the handler and everything it
 * schedules. That context belongs to the connection's parser and is reused by the next request on a keep-alive
 * socket, so every request (ignored ones too) replaces it: nothing leaks from one request to the next.
 */
// The open span rides on the response under a private symbol (cheaper for the garbage collector than a WeakMap
// entry per request), so the 'close' listener can be one shared function instead of a closure per request.
const kSpan = Symbol('windsock.span');
interface TrackedResponse extends ServerResponse {
  [kSpan]?: SpanRecord | undefined;
}

/** The response's open span, handed over exactly once (finish or close: whichever comes first). */
function take(response: TrackedResponse): SpanRecord | undefined {
  const span = response[kSpan];
  if (span !== undefined) response[kSpan] = undefined;
  return span;
}

export class HttpServerInstrumentation {
  constructor(private readonly tracer: InstrumentedTracer) {}

  readonly onRequestStart = (message: unknown): void => {
    try {
      const { request, response } = message as ServerMessage;
      const method = request.method ?? 'GET';
      const path = pathOf(request.url ?? '/');
      if (this.tracer.ignoreRules.ignores(method, path)) {
        this.tracer.counters.requestsIgnored += 1;
        contextStorage.enterWith(SUPPRESSED);
        return;
      }
      // No parent: whatever context the parser carries belongs to the previous request on this socket.
      const raw = request.rawHeaders;
      rawHeaders.raw = raw;
      let span: SpanRecord;
      try {
        span = this.tracer.openEntry(
          `${method}:${path}`,
          rawHeaders,
          undefined,
          SpanLayer.Http,
          ComponentId.HttpServer,
        );
      } finally {
        rawHeaders.raw = NO_HEADERS;
      }
      (response as TrackedResponse)[kSpan] = span;
      // An unsampled span only carries the context to the handler's calls: no tags to build, and no 'close'
      // listener, since an abort would only be recorded on it (the finish channel still ends it).
      if (span.segment.sampled) {
        span.tag('http.method', method);
        span.tag('http.url', urlOf(request, raw, path));
        // `on`, not `once`: the listener is shared and does nothing after the span was taken, and `once` would
        // allocate a wrapper per request.
        response.on('close', onResponseClose);
      }
      contextStorage.enterWith(span);
    } catch {
      // Instrumentation must never break the request it observes.
    }
  };

  readonly onResponseFinish = (message: unknown): void => {
    try {
      const { response } = message as ServerMessage;
      const span = take(response);
      if (span !== undefined) finish(span, response);
    } catch {
      // As above.
    }
  };
}

function finish(span: SpanRecord, response: ServerResponse): void {
  // Before the headers are sent, statusCode is Node's default 200, not an answer anyone received.
  if (response.headersSent && span.segment.sampled)
    span.tag('http.status_code', response.statusCode);
  if (response.statusCode >= 500) span.data.isError = true;
  span.end();
}

// 'close' without 'finish' means the client went away or the handler destroyed the socket: the span still ends,
// so its segment is reported rather than held forever.
function onResponseClose(this: ServerResponse): void {
  try {
    const span = take(this);
    if (span === undefined) return;
    if (!this.writableFinished) {
      // The caller got no complete answer (it went away, or the handler destroyed the socket): an error either way,
      // counted in the endpoint's error rate rather than shown as a success.
      span.log({ event: 'aborted', message: 'connection closed before the response finished' });
      span.data.isError = true;
    }
    finish(span, this);
  } catch {
    // As above.
  }
}

function urlOf(request: IncomingMessage, raw: readonly string[], path: string): string {
  const scheme = (request.socket as TLSSocket | undefined)?.encrypted === true ? 'https' : 'http';
  return `${scheme}://${rawHeader(raw, 'host', false) ?? ''}${path}`;
}

// Node 20 builds `request.headers` lazily, from `rawHeaders`, the first time it is read: every header parsed,
// lowercased and merged into a new object. An application that never reads it should not pay for that because the
// agent looked for three headers, so they are read from `rawHeaders` (name/value pairs as received).

const NO_HEADERS: readonly string[] = [];

/**
 * The request headers the agent reads (`sw8`, `sw8-correlation`, `sw8-x`), as `request.headers` would hold them:
 * names in any case, repeated values joined with ', ' (what Node does for headers it does not know). One instance,
 * pointed at a request's `rawHeaders` only while its entry span is opened.
 */
class RawHeaderSource {
  raw: readonly string[] = NO_HEADERS;

  get(name: string): string | null {
    return rawHeader(this.raw, name, true) ?? null;
  }
}

const rawHeaders = new RawHeaderSource();

/**
 * A header from `rawHeaders` (`name` lowercase): its first value (what `request.headers` keeps for `host`), or with
 * `joinRepeats` every value joined with ', ' (what it does for headers Node does not know).
 */
function rawHeader(raw: readonly string[], name: string, joinRepeats: boolean): string | undefined {
  let found: string | undefined;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const key = raw[i]!;
    if (key.length !== name.length || (key !== name && key.toLowerCase() !== name)) continue;
    const value = raw[i + 1]!;
    if (!joinRepeats) return value;
    found = found === undefined ? value : `${found}, ${value}`;
  }
  return found;
}
