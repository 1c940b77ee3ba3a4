import { AsyncResource } from 'node:async_hooks';
import { type Span } from '@windsock/core';
import { endDbSpan } from './db-span.js';

export type AnyFunction = (this: unknown, ...args: unknown[]) => unknown;

/**
 * Wraps a node-style callback the driver calls later (from its socket's data handler, in whatever async context
 * the connection was opened in): it ends `span` with the callback's error, then runs the callback in the async
 * context of the code that made the call, with the same `this` and arguments. Without it, a query made inside the
 * callback would become a child of whichever request opened the pooled connection.
 */
export function spanCallback(span: Span, callback: AnyFunction): AnyFunction {
  const resource = new AsyncResource('windsock.db-callback');
  return function (this: unknown, ...args: unknown[]): unknown {
    endDbSpan(span, args[0]);
    return resource.runInAsyncScope(callback, this, ...args);
  };
}

/**
 * `callback` bound to the caller's async context (pools call a waiting caller back from another one's release).
 * `AsyncResource.bind` would do the same, but on Node.js 20 it builds a deprecation wrapper per call.
 */
export function callerBound(callback: AnyFunction): AnyFunction {
  const resource = new AsyncResource('windsock.db-callback');
  return function (this: unknown, ...args: unknown[]): unknown {
    return resource.runInAsyncScope(callback, this, ...args);
  };
}
