import { type Span } from '@windsock/core';

/**
 * Records an error Koa is about to answer. Koa answers an error carrying a 4xx `status` (`ctx.throw(404)`,
 * http-errors) or an `ENOENT` code with that client status and does not even print it (`Application#onerror`): the
 * request failed through the client's doing, so the span gets the error as a log entry without the error flag, and
 * the endpoint's success rate in OAP stays the service's own. Anything else is answered with a 5xx: an error span.
 */
export function recordKoaError(span: Span, error: unknown): void {
  if (isClientError(error)) {
    span.log({
      event: 'error',
      'error.kind': error instanceof Error ? error.name : typeof error,
      message: error instanceof Error ? error.message : String(error),
    });
  } else {
    span.error(error);
  }
}

// Koa's own rule (`context.onerror`): `status || statusCode` must be a number; ENOENT becomes 404.
function isClientError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { status, statusCode, code } = error as {
    status?: unknown;
    statusCode?: unknown;
    code?: unknown;
  };
  if (code === 'ENOENT') return true;
  const value = status || statusCode;
  return typeof value === 'number' && value >= 400 && value < 500;
}
