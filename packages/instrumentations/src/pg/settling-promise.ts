import { type Span } from '@windsock/core';
import { endDbSpan } from '../sql/db-span.js';
import { type PgClient } from './connection.js';

type PromiseConstructorLike = new (
  executor: (resolve: (value: unknown) => void, reject: (reason: unknown) => void) => void,
) => unknown;

/**
 * Calls `query` (a promise-returning `client.query()`) so that `span` ends when pg settles the promise, without
 * touching the promise. pg builds it with `new client._Promise(executor)` and settles it from the query's callback;
 * for the duration of this synchronous call `_Promise` builds that same promise with the client's own constructor,
 * handing pg resolve and reject functions that end the span first. The application gets pg's own promise (same
 * object and class, same stack rewrite, an unhandled rejection still unhandled): attaching `then` to it instead
 * would mark a rejection the application ignores as handled. When pg no longer builds its promise this way the span
 * ends at once, so it never stays open.
 */
export function callSettling(client: PgClient, span: Span, query: () => unknown): unknown {
  const own = Object.prototype.hasOwnProperty.call(client, '_Promise');
  const ClientPromise = client._Promise;
  if (typeof ClientPromise !== 'function') {
    endDbSpan(span);
    return query();
  }
  let built = false;
  function SettlingPromise(
    executor: (resolve: (value: unknown) => void, reject: (reason: unknown) => void) => void,
  ): unknown {
    built = true;
    return new (ClientPromise as PromiseConstructorLike)((resolve, reject) => {
      executor(
        (value) => {
          endDbSpan(span);
          resolve(value);
        },
        (reason) => {
          endDbSpan(span, reason);
          reject(reason);
        },
      );
    });
  }
  client._Promise = SettlingPromise;
  let result: unknown;
  try {
    result = query();
  } finally {
    if (own) client._Promise = ClientPromise;
    else delete client._Promise;
  }
  if (!built) endDbSpan(span);
  return result;
}
