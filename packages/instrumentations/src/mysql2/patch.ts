import { AsyncResource } from 'node:async_hooks';
import { type Span } from '@windsock/core';
import { wrapMethod } from '../hooks/wrap.js';
import { spanCallback, type AnyFunction } from '../sql/caller-context.js';
import { endDbSpan, startDbSpan } from '../sql/db-span.js';
import {
  COMPONENT_ID,
  DB_TYPE,
  EXECUTE_OPERATION,
  peerOf,
  QUERY_OPERATION,
  recordGetConnectionFailure,
  type Mysql2Hooks,
  type MysqlConfig,
} from './connection.js';
import { readExecuteCall, readQueryCall, type StatementCall } from './statement-call.js';

/**
 * For mysql2 versions without TracingChannels: wraps `Connection.prototype.query` and `execute` (pool connections
 * inherit them; the promise API calls them) with the same spans the channels give. Returns the undo.
 */
export function patchConnection(Connection: unknown, hooks: Mysql2Hooks): () => void {
  const proto = prototypeOf(Connection, 'connection');
  const undoQuery = wrapMethod(proto, 'query', (original) =>
    tracedStatement(original, hooks, QUERY_OPERATION, readQueryCall),
  );
  const undoExecute = wrapMethod(proto, 'execute', (original) =>
    tracedStatement(original, hooks, EXECUTE_OPERATION, readExecuteCall),
  );
  return () => {
    undoQuery();
    undoExecute();
  };
}

/**
 * Wraps `Pool.prototype.getConnection(callback)`: the callback runs in its caller's context (a waiting caller is
 * handed a connection from another caller's release, and `pool.query` issues its statement from that callback), and
 * a failure to get a connection is recorded as a failed `Mysql/getConnection` span. Returns the undo.
 */
export function patchPool(Pool: unknown, hooks: Mysql2Hooks): () => void {
  const proto = prototypeOf(Pool, 'pool');
  const { guard } = hooks;
  return wrapMethod(
    proto,
    'getConnection',
    (original) =>
      function getConnection(this: unknown, ...args: unknown[]): unknown {
        const callback = args[0];
        if (!guard.on || typeof callback !== 'function') return Reflect.apply(original, this, args);
        const config = (this as { config?: { connectionConfig?: MysqlConfig } }).config
          ?.connectionConfig;
        const resource = new AsyncResource('windsock.db-callback');
        const handOver = function (this: unknown, ...results: unknown[]): unknown {
          return resource.runInAsyncScope(() => {
            const error = results[0];
            if (error !== undefined && error !== null && guard.on) {
              recordGetConnectionFailure(
                hooks,
                peerOf(config?.host, config?.port, config?.socketPath),
                config?.database,
                error,
              );
            }
            return (callback as AnyFunction).apply(this, results);
          });
        };
        return original.call(this, handOver);
      },
  );
}

type ReadCall = (sql: unknown, values: unknown, callback: unknown) => StatementCall;

function tracedStatement(
  original: AnyFunction,
  { context, guard }: Mysql2Hooks,
  operation: string,
  read: ReadCall,
): AnyFunction {
  return function statement(this: unknown, ...args: unknown[]): unknown {
    const [sql, values, callback] = args;
    // mysql2 throws its own TypeError for a missing statement; nothing was sent, so there is no span.
    if (!guard.on || sql === null || sql === undefined) return Reflect.apply(original, this, args);
    const config = (this as { config?: MysqlConfig }).config;
    let call: StatementCall;
    let span: Span;
    try {
      call = read(sql, values, callback);
      span = startDbSpan(context.tracer, context.settings, {
        operation,
        peer: peerOf(config?.host, config?.port, config?.socketPath),
        componentId: COMPONENT_ID,
        dbType: DB_TYPE,
        instance: config?.database,
        statement: call.statement,
        parameters: call.parameters,
      });
    } catch (error) {
      guard.fail(error);
      return Reflect.apply(original, this, args);
    }
    if (span.ended) return Reflect.apply(original, this, args);

    let callArgs = args;
    try {
      if (call.kind === 'command') {
        // A command built by the pool: its callback (if any) is already on it.
        const command = sql as { onResult?: unknown };
        if (typeof command.onResult === 'function')
          command.onResult = spanCallback(span, command.onResult as AnyFunction);
        else watchEvents(command, span);
      } else if (call.kind === 'callback') {
        const wrapped = spanCallback(span, call.callback);
        callArgs = call.slot === 1 ? [sql, wrapped, callback] : [sql, values, wrapped];
      }
    } catch (error) {
      guard.fail(error);
      endDbSpan(span);
      return Reflect.apply(original, this, args);
    }
    let result: unknown;
    try {
      result = Reflect.apply(original, this, callArgs);
    } catch (error) {
      endDbSpan(span, error);
      throw error;
    }
    if (call.kind === 'events') {
      try {
        watchEvents(result, span);
      } catch (error) {
        guard.fail(error);
        endDbSpan(span);
      }
    }
    return result;
  };
}

/**
 * A command run without a callback (`query(sql).on('result', ...)`, `.stream()`) is done at its `error` or `end`
 * event. Its own `emit` is wrapped rather than a listener added: an `error` listener would stop an unhandled
 * command error from reaching the process as it does without the agent.
 */
function watchEvents(command: unknown, span: Span): void {
  const target = command as { emit?: unknown };
  const emit = target.emit;
  if (typeof emit !== 'function') {
    endDbSpan(span);
    return;
  }
  Object.defineProperty(target, 'emit', {
    value: function (this: unknown, ...args: unknown[]): unknown {
      const event = args[0];
      if (event === 'error') endDbSpan(span, args[1] ?? 'error');
      else if (event === 'end') endDbSpan(span);
      return Reflect.apply(emit as AnyFunction, this, args);
    },
    writable: true,
    configurable: true,
    enumerable: false,
  });
}

function prototypeOf(exports: unknown, file: string): object {
  const proto = (exports as { prototype?: unknown } | null)?.prototype;
  if (typeof proto !== 'object' || proto === null)
    throw new Error(`mysql2's ${file} module exports no class`);
  return proto;
}
