import { type ClientRequest, type IncomingMessage } from 'node:http';
import { ComponentId, SpanLayer } from '@windsock/protocol';
import { isManualSw8 } from '../propagation/manual-sw8.js';
import { injectHeaders } from '../propagation/sw8.js';
import { type SpanRecord } from '../tracing/span.js';
import { type InstrumentedTracer, pathOf } from './instrumented-tracer.js';

// State kept on the request under a private symbol rather than in a WeakMap: a WeakMap entry per short-lived request
// adds hash-table and ephemeron work for the garbage collector on every request; one more property does not.
const kSpan = Symbol('windsock.span');
// `undefined`: not decided yet; a span: traced; `null`: decided against (suppressed, propagated by hand) or done.
interface TrackedRequest extends ClientRequest {
  [kSpan]?: SpanRecord | null;
}

/**
 * One exit span per `http.request` / `http.get` (and their `https` twins): started when the request is created
 * (or, if its headers were already written by then, when it is sent, without propagation),
 * ended when the response headers arrive (`http.client.response.finish`), on error, or when the request closes
 * without either (aborted, timed out and destroyed).
 */
export class HttpClientInstrumentation {
  constructor(private readonly tracer: InstrumentedTracer) {}

  readonly onRequestCreated = (request: ClientRequest): void => {
    try {
      // Headers already written (a request queued behind maxSockets on Node 20, or array headers): leave it to
      // `request.start`, which still records the call.
      const tracked = request as TrackedRequest;
      if (tracked[kSpan] !== undefined || request.headersSent) return;
      tracked[kSpan] = null;
      // A caller that propagated by hand (a manual exit span) already owns this call; a forwarded incoming sw8 is
      // replaced (setHeader) by this call's own. Where tracing is suppressed, openExit (in openSpan) opens nothing.
      if (isManualSw8(request.getHeader('sw8'))) return;
      const span = this.openSpan(request);
      if (span !== undefined) injectHeaders(span, span.data.peer, request, setRequestHeader);
    } catch {
      // Instrumentation must never break the request it observes.
    }
  };

  /** The request was written; trace it now if it could not be traced at creation (no `sw8` possible any more). */
  readonly onRequestStart = (message: unknown): void => {
    try {
      const { request } = message as { request: TrackedRequest };
      if (request[kSpan] !== undefined) return;
      request[kSpan] = null;
      if (isManualSw8(request.getHeader('sw8'))) return;
      if (this.openSpan(request) !== undefined) this.tracer.counters.propagationSkipped += 1;
    } catch {
      // As above.
    }
  };

  private openSpan(request: ClientRequest): SpanRecord | undefined {
    const peer = peerOf(request);
    const path = pathOf(request.path);
    const span = this.tracer.openExit(path, peer, SpanLayer.Http, ComponentId.HttpClient);
    if (span === undefined) return undefined;
    (request as TrackedRequest)[kSpan] = span;
    // An unsampled span only carries the context into sw8: no tags to build, and no 'close' listener, since an
    // abort would only be recorded on it (the response and error channels still end it).
    if (span.segment.sampled) {
      span.tag('http.method', request.method);
      span.tag('http.url', `${request.protocol}//${peer}${path}`);
      // `on`, not `once`: the listener is shared and does nothing after the span was taken, and `once` would
      // allocate a wrapper per request.
      request.on('close', onRequestClose);
    }
    return span;
  }

  readonly onResponseFinish = (message: unknown): void => {
    try {
      const { request, response } = message as {
        request: ClientRequest;
        response: IncomingMessage;
      };
      const span = take(request);
      if (span === undefined) return;
      const status = response.statusCode ?? 0;
      if (span.segment.sampled) span.tag('http.status_code', status);
      if (status >= 400) span.data.isError = true;
      span.end();
    } catch {
      // As above.
    }
  };

  readonly onRequestError = (message: unknown): void => {
    try {
      const { request, error } = message as { request: ClientRequest; error: unknown };
      const span = take(request);
      if (span === undefined) return;
      span.error(error);
      span.end();
    } catch {
      // As above.
    }
  };
}

/** The request's open span, handed over exactly once (response, error or close: whichever comes first). */
function take(request: TrackedRequest): SpanRecord | undefined {
  const span = request[kSpan];
  if (span === undefined || span === null) return undefined;
  request[kSpan] = null;
  return span;
}

function onRequestClose(this: ClientRequest): void {
  try {
    const span = take(this);
    if (span === undefined) return;
    // A successful upgrade (a WebSocket's 101) or CONNECT hands the socket over and closes the request without
    // `response.finish`: Node marks it and keeps the response.
    const { upgradeOrConnect, res } = this as { upgradeOrConnect?: boolean; res?: IncomingMessage };
    if (upgradeOrConnect === true && res?.statusCode !== undefined) {
      span.tag('http.status_code', res.statusCode);
      if (res.statusCode >= 400) span.data.isError = true;
      span.end();
      return;
    }
    span.error(new Error('request closed before a response arrived'));
    span.end();
  } catch {
    // As above.
  }
}

function setRequestHeader(request: ClientRequest, name: string, value: string): void {
  request.setHeader(name, value);
}

/** `host:port` as the caller addressed it: the Host header Node derived from the request options. */
export function peerOf(request: ClientRequest): string {
  const host = request.getHeader('host');
  const hostText = typeof host === 'string' ? host : request.host;
  if (hasPort(hostText)) return hostText;
  return `${hostText}:${request.protocol === 'https:' ? 443 : 80}`;
}

function hasPort(host: string): boolean {
  const colon = host.lastIndexOf(':');
  // An IPv6 literal is bracketed: `[::1]:8080` has a port, `[::1]` does not.
  return colon > host.lastIndexOf(']') && colon < host.length - 1;
}
