import { type Span } from '@windsock/core';
import { type FastifyReplyLike } from './messages.js';

/**
 * Records an error Fastify is about to answer, once per request (a handler's error reaches both the handler channel's
 * `error` event and the `onError` hook). An error answered with a 4xx (`statusCode` 400-499 on the error, a
 * validation error, or a 4xx the handler set before throwing) failed through the client's doing: it is logged on
 * the span without the error flag, so the endpoint's success rate in OAP stays the service's own. Anything else is
 * answered with a 5xx: an error span.
 */
export class ErrorRecorder {
  // Only requests that failed land here; the reply is the request's own object, so one error log per request.
  private readonly recorded = new WeakSet<object>();

  record(span: Span, reply: FastifyReplyLike, error: unknown): void {
    if (this.recorded.has(reply)) return;
    this.recorded.add(reply);
    if (isClientStatus(statusOf(reply, error))) {
      span.log({
        event: 'error',
        'error.kind': error instanceof Error ? error.name : typeof error,
        message: error instanceof Error ? error.message : String(error),
      });
    } else {
      span.error(error);
    }
  }
}

/**
 * The status Fastify answers the error with (lib/error-status.js): a status the handler set other than the default
 * 200, else the error's `statusCode`, else its `status`, when within 400-599; else 500.
 */
function statusOf(reply: FastifyReplyLike, error: unknown): number {
  const set = reply.statusCode;
  if (typeof set === 'number' && set !== 200) return set;
  if (typeof error === 'object' && error !== null) {
    const { statusCode, status } = error as { statusCode?: unknown; status?: unknown };
    if (typeof statusCode === 'number' && statusCode >= 400 && statusCode <= 599) return statusCode;
    if (typeof status === 'number' && status >= 400 && status <= 599) return status;
  }
  return 500;
}

function isClientStatus(status: number): boolean {
  return status >= 400 && status < 500;
}
