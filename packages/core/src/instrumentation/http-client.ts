import { type ClientRequest, type IncomingMessage } from 'node:http';
import { ComponentId, SpanLayer } from '@windsock/protocol';
import { isSuppressed } from '../context.js';
import { injectHeaders } from '../propagation.js';
import { type SpanRecord } from '../span.js';
import { type InstrumentedTracer, pathOf } from './instrumented-tracer.js';

const clientSpans = new WeakMap<ClientRequest, SpanRecord>();

/**
 * One exit span per `http.request` / `http.get` (and their `https` twins): started when the request is created,
 * ended when the response headers arrive (`http.client.response.finish`), on error, or when the request closes
 * without either (aborted, timed out and destroyed).
 */
export class HttpClientInstrumentation {
  constructor(private readonly tracer: InstrumentedTracer) {}

  readonly onRequestCreated = (request: ClientRequest): void => {
    try {
      if (isSuppressed() || clientSpans.has(request)) return;
      // A caller that propagated by hand (a manual exit span) already owns this call.
      if (request.getHeader('sw8') !== undefined) return;
      if (request.headersSent) {
        this.tracer.counters.propagationSkipped += 1;
        return;
      }
      const peer = peerOf(request);
      const path = pathOf(request.path);
      const span = this.tracer.openExit(path, peer, SpanLayer.Http, ComponentId.HttpClient);
      if (span === undefined) return;
      span.tag('http.method', request.method);
      span.tag('http.url', `${request.protocol}//${peer}${path}`);
      injectHeaders(span, peer, request, setRequestHeader);
      clientSpans.set(request, span);
      request.once('close', onRequestClose);
    } catch {
      // Instrumentation must never break the request it observes.
    }
  };

  readonly onResponseFinish = (message: unknown): void => {
    try {
      const { request, response } = message as {
        request: ClientRequest;
        response: IncomingMessage;
      };
      const span = take(request);
      if (span === undefined) return;
      const status = response.statusCode ?? 0;
      span.tag('http.status_code', status);
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

function take(request: ClientRequest): SpanRecord | undefined {
  const span = clientSpans.get(request);
  if (span !== undefined) clientSpans.delete(request);
  return span;
}

function onRequestClose(this: ClientRequest): void {
  try {
    const span = take(this);
    if (span === undefined) return;
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
