import { type InstrumentationSettings, type Span, type Tracer } from '@windsock/core';
import { wrapMethod } from '../hooks/wrap.js';
import { callerBound, spanCallback, type AnyFunction } from '../sql/caller-context.js';
import { endDbSpan, startDbSpan } from '../sql/db-span.js';
import { type HookGuard } from '../hooks/hook-guard.js';
import {
  COMPONENT_ID,
  CONNECT_OPERATION,
  DB_TYPE,
  peerOf,
  QUERY_OPERATION,
  type PgClient,
} from './connection.js';
import { readQueryCall } from './query-call.js';
import { callSettling } from './settling-promise.js';

export interface PgHooks {
  readonly tracer: Tracer;
  readonly settings: InstrumentationSettings;
  readonly guard: HookGuard;
}

/**
 * Wraps `Client.prototype.query` (an exit span per query, whichever way its result is delivered) and
 * `Client.prototype._connect` (an exit span per connection handshake; `connect()` in both its forms and the pool's
 * new clients go through it). Returns the undo.
 */
export function patchClient(Client: unknown, hooks: PgHooks): () => void {
  const proto = (Client as { prototype?: unknown }).prototype;
  if (typeof proto !== 'object' || proto === null)
    throw new Error('pg/lib/client.js exports no class');
  const undoQuery = wrapMethod(proto, 'query', (original) => tracedQuery(original, hooks));
  const undoConnect = wrapMethod(proto, '_connect', (original) => tracedConnect(original, hooks));
  return () => {
    undoQuery();
    undoConnect();
  };
}

function tracedQuery(original: AnyFunction, { tracer, settings, guard }: PgHooks): AnyFunction {
  return function query(this: unknown, ...args: unknown[]): unknown {
    const [config, values, callback] = args;
    // pg throws its own TypeError for a missing query; nothing was sent, so there is no span.
    if (!guard.on || config === null || config === undefined)
      return Reflect.apply(original, this, args);
    const client = this as PgClient;
    let call;
    let span: Span;
    try {
      call = readQueryCall(config, values, callback);
      span = startDbSpan(tracer, settings, {
        operation: QUERY_OPERATION,
        peer: peerOf(client),
        componentId: COMPONENT_ID,
        dbType: DB_TYPE,
        instance: client.database,
        statement: call.statement,
        parameters: call.parameters,
      });
    } catch (error) {
      guard.fail(error);
      return Reflect.apply(original, this, args);
    }
    if (span.ended) return Reflect.apply(original, this, args);

    switch (call.kind) {
      case 'callback': {
        const wrapped = spanCallback(span, call.callback);
        try {
          return call.slot === 1
            ? original.call(this, config, wrapped, callback)
            : original.call(this, config, values, wrapped);
        } catch (error) {
          endDbSpan(span, error);
          throw error;
        }
      }
      case 'promise':
        try {
          return callSettling(client, span, () => original.call(this, config, values, callback));
        } catch (error) {
          endDbSpan(span, error);
          throw error;
        }
      case 'submittable': {
        let boundValues = values;
        let boundCallback = callback;
        try {
          watchSubmittable(config, span);
          if (typeof values === 'function') boundValues = callerBound(values as AnyFunction);
          if (typeof callback === 'function') boundCallback = callerBound(callback as AnyFunction);
        } catch (error) {
          guard.fail(error);
          endDbSpan(span);
          return Reflect.apply(original, this, args);
        }
        try {
          return original.call(this, config, boundValues, boundCallback);
        } catch (error) {
          endDbSpan(span, error);
          throw error;
        }
      }
      case 'invalid':
        try {
          return Reflect.apply(original, this, args);
        } catch (error) {
          endDbSpan(span, error);
          throw error;
        } finally {
          endDbSpan(span);
        }
    }
  };
}

interface Submittable {
  handleError?: unknown;
  handleReadyForQuery?: unknown;
}

/**
 * A submittable is done, for the client, at its `handleError` or `handleReadyForQuery` (a cursor: exhausted or
 * closed). They are wrapped on the object itself, not on its class, so only this call is affected.
 */
function watchSubmittable(target: unknown, span: Span): void {
  const submittable = target as Submittable;
  const handleError = submittable.handleError;
  const handleReady = submittable.handleReadyForQuery;
  if (typeof handleError === 'function') {
    define(submittable, 'handleError', function (this: unknown, ...args: unknown[]): unknown {
      endDbSpan(span, args[0] ?? 'error');
      return Reflect.apply(handleError as AnyFunction, this, args);
    });
  }
  if (typeof handleReady === 'function') {
    // After the original: a query cancelled by an earlier error reports that error from inside it.
    define(
      submittable,
      'handleReadyForQuery',
      function (this: unknown, ...args: unknown[]): unknown {
        try {
          return Reflect.apply(handleReady as AnyFunction, this, args);
        } finally {
          endDbSpan(span);
        }
      },
    );
  }
}

function define(target: object, key: string, value: AnyFunction): void {
  Object.defineProperty(target, key, {
    value,
    writable: true,
    configurable: true,
    enumerable: false,
  });
}

function tracedConnect(original: AnyFunction, { tracer, settings, guard }: PgHooks): AnyFunction {
  return function _connect(this: unknown, ...args: unknown[]): unknown {
    const callback = args[0];
    if (!guard.on || typeof callback !== 'function') return Reflect.apply(original, this, args);
    const client = this as PgClient;
    let span: Span;
    let wrapped: AnyFunction | undefined;
    try {
      span = startDbSpan(tracer, settings, {
        operation: CONNECT_OPERATION,
        peer: peerOf(client),
        componentId: COMPONENT_ID,
        dbType: DB_TYPE,
        instance: client.database,
      });
      if (!span.ended) wrapped = spanCallback(span, callback as AnyFunction);
    } catch (error) {
      guard.fail(error);
      return Reflect.apply(original, this, args);
    }
    if (wrapped === undefined) return Reflect.apply(original, this, args);
    try {
      return original.call(this, wrapped);
    } catch (error) {
      endDbSpan(span, error);
      throw error;
    }
  };
}
