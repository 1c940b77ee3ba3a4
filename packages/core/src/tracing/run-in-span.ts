import { types } from 'node:util';
import { type Tracer } from './tracer.js';
import { type Span } from './types.js';

/**
 * Runs `fn(span)` with `span` active and ends the span when `fn` returns, or, when it returns a promise, when that
 * promise settles. A throw or a rejection is recorded on the span (`span.error`) and passed on unchanged, as is the
 * result: the caller sees what `fn` alone would give. A promise is followed through a `then` of its own, so the
 * caller gets a new promise that settles with the same value or reason (an unhandled rejection stays unhandled);
 * other thenables are returned as they are and end the span at once, since subscribing to one may start its work.
 */
export function runInSpan<T>(tracer: Tracer, span: Span, fn: (span: Span) => T): T {
  let result: T;
  try {
    result = tracer.withSpan(span, () => fn(span));
  } catch (error) {
    span.error(error);
    span.end();
    throw error;
  }
  if (types.isPromise(result)) {
    return result.then(
      (value: unknown) => {
        span.end();
        return value;
      },
      (reason: unknown) => {
        span.error(reason);
        span.end();
        throw reason;
      },
    ) as T;
  }
  span.end();
  return result;
}
