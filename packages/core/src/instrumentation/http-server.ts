import { type IncomingMessage, type ServerResponse } from 'node:http';
import { type TLSSocket } from 'node:tls';
import { ComponentId, SpanLayer } from '@windsock/protocol';
import { contextStorage, SUPPRESSED } from '../context.js';
import { type SpanRecord } from '../span.js';
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
      const span = this.tracer.openEntry(
        `${method}:${path}`,
        request.headers,
        undefined,
        SpanLayer.Http,
        ComponentId.HttpServer,
      );
      span.tag('http.method', method);
      span.tag('http.url', urlOf(request, path));
      (response as TrackedResponse)[kSpan] = span;
      // `on`, not `once`: the listener is shared and does nothing after the span was taken, and `once` would
      // allocate a wrapper per request.
      response.on('close', onResponseClose);
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
      span.log({ event: 'aborted', message: 'connection closed before the response finished' });
    }
    finish(span, this);
  } catch {
    // As above.
  }
}

function urlOf(request: IncomingMessage, path: string): string {
  const scheme = (request.socket as TLSSocket | undefined)?.encrypted === true ? 'https' : 'http';
  return `${scheme}://${request.headers.host ?? ''}${path}`;
}
