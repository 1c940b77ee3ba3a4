/** The part of Nest's `BaseExceptionFilter` the rule reads: its test for http-errors-shaped errors. */
interface FilterLike {
  isHttpError?: (error: unknown) => boolean;
}

/**
 * Whether Nest's built-in filter answers the exception with a server error (5xx), by Nest's own rules
 * (`BaseExceptionFilter#catch`): an `HttpException` with its status, an http-errors or Fastify error with its
 * `statusCode`, anything else with 500. A 4xx is the client's error, as for any 4xx answer. `HttpException` is told by
 * its `getStatus` method: the agent does not load `@nestjs/common` to compare classes.
 */
export function isServerError(filter: unknown, exception: unknown): boolean {
  const status = answeredStatus(filter, exception);
  return typeof status !== 'number' || !(status < 500);
}

function answeredStatus(filter: unknown, exception: unknown): unknown {
  if (typeof exception === 'object' && exception !== null) {
    const { getStatus } = exception as { getStatus?: unknown };
    if (typeof getStatus === 'function') return getStatus.call(exception) as unknown;
  }
  const { isHttpError } = (filter ?? {}) as FilterLike;
  if (typeof isHttpError === 'function' && isHttpError.call(filter, exception) === true)
    return (exception as { statusCode?: unknown }).statusCode;
  return 500;
}
