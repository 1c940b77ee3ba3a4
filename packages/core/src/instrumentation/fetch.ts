import { ComponentId, SpanLayer } from '@windsock/protocol';
import { isSuppressed } from '../tracing/context.js';
import { isManualSw8 } from '../propagation/manual-sw8.js';
import { injectHeaders } from '../propagation/sw8.js';
import { type SpanRecord } from '../tracing/span.js';
import { type InstrumentedTracer, pathOf } from './instrumented-tracer.js';

/** The parts of undici's request object its diagnostics channels expose and we use. */
interface UndiciRequest {
  origin?: string | URL;
  method?: string;
  path?: string;
  headers?: unknown;
  addHeader?: (name: string, value: string) => unknown;
}

const fetchSpans = new WeakMap<object, SpanRecord>();

/**
 * One exit span per `fetch` (and any undici request), through undici's channels: `undici:request:create` (headers
 * can still be added), `undici:request:headers` (response status), `undici:request:error`, and
 * `undici:request:trailers` (body done; ends the span if the headers channel was missed).
 */
export class FetchInstrumentation {
  constructor(private readonly tracer: InstrumentedTracer) {}

  readonly onRequestCreate = (message: unknown): void => {
    try {
      const { request } = message as { request: UndiciRequest };
      if (isSuppressed() || typeof request.addHeader !== 'function') return;
      // As for http.request: a manual exit span's sw8 is left alone, a forwarded one is replaced by this call's.
      const carried = sw8Of(request.headers);
      if (carried !== undefined) {
        if (isManualSw8(carried)) return;
        request.headers = withoutSw8(request.headers);
      }
      if (request.origin === undefined) return;
      const origin = splitOrigin(String(request.origin));
      const peer = origin.peer;
      const path = pathOf(request.path ?? '/');
      const span = this.tracer.openExit(path, peer, SpanLayer.Http, ComponentId.HttpClient);
      if (span === undefined) return;
      if (span.segment.sampled) {
        span.tag('http.method', request.method ?? 'GET');
        span.tag('http.url', `${origin.scheme}//${peer}${path}`);
      }
      injectHeaders(span, peer, request, addUndiciHeader);
      fetchSpans.set(request, span);
    } catch {
      // Instrumentation must never break the request it observes.
    }
  };

  readonly onResponseHeaders = (message: unknown): void => {
    try {
      const { request, response } = message as {
        request: object;
        response: { statusCode?: number };
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

  readonly onResponseEnd = (message: unknown): void => {
    try {
      take((message as { request: object }).request)?.end();
    } catch {
      // As above.
    }
  };

  readonly onRequestError = (message: unknown): void => {
    try {
      const { request, error } = message as { request: object; error: unknown };
      const span = take(request);
      if (span === undefined) return;
      span.error(error);
      span.end();
    } catch {
      // As above.
    }
  };
}

function take(request: object): SpanRecord | undefined {
  const span = fetchSpans.get(request);
  if (span !== undefined) fetchSpans.delete(request);
  return span;
}

function addUndiciHeader(request: UndiciRequest, name: string, value: string): void {
  request.addHeader?.(name, value);
}

// undici keeps request headers as a raw `name: value\r\n` string (v5/v6) or a flat [name, value, ...] array.
function sw8Of(headers: unknown): string | undefined {
  if (typeof headers === 'string') {
    const match = /(?:^|\r\n)sw8:\s*([^\r\n]*)/i.exec(headers);
    return match === null ? undefined : match[1]!.trim();
  }
  if (Array.isArray(headers)) {
    for (let i = 0; i < headers.length; i += 2) {
      if (String(headers[i]).toLowerCase() === 'sw8') return String(headers[i + 1]);
    }
  }
  return undefined;
}

/** The same headers without the `sw8` ones, in the same form. */
function withoutSw8(headers: unknown): unknown {
  if (typeof headers === 'string') return headers.replace(/(?:^|(?<=\r\n))sw8:[^\r\n]*\r\n/gi, '');
  if (Array.isArray(headers)) {
    const kept: unknown[] = [];
    for (let i = 0; i < headers.length; i += 2) {
      if (String(headers[i]).toLowerCase() !== 'sw8') kept.push(headers[i], headers[i + 1]);
    }
    return kept;
  }
  return headers;
}

/**
 * `http://host:port` → scheme and `host:port` (default port filled in). undici hands over a normalized origin, so a
 * split is enough where `new URL` would cost a microsecond per request.
 */
export function splitOrigin(origin: string): { scheme: string; peer: string } {
  const schemeEnd = origin.indexOf('//');
  const scheme = schemeEnd > 0 ? origin.slice(0, schemeEnd) : 'http:';
  let authority = schemeEnd > 0 ? origin.slice(schemeEnd + 2) : origin;
  const slash = authority.indexOf('/');
  if (slash >= 0) authority = authority.slice(0, slash);
  const at = authority.lastIndexOf('@');
  if (at >= 0) authority = authority.slice(at + 1);
  const colon = authority.lastIndexOf(':');
  const hasPort = colon > authority.lastIndexOf(']') && colon < authority.length - 1;
  return { scheme, peer: hasPort ? authority : `${authority}:${scheme === 'https:' ? 443 : 80}` };
}
