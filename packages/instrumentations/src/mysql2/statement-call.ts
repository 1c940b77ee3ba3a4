import { type AnyFunction } from '../sql/caller-context.js';

/** A `query`/`execute` call read as mysql2 reads its arguments. */
export type StatementCall =
  /** `query(command)`: a Query command built elsewhere (by the pool), callback or not. */
  | { readonly kind: 'command'; readonly statement: unknown; readonly parameters: unknown }
  /** A callback in the `values` (1) or `callback` (2) position. */
  | {
      readonly kind: 'callback';
      readonly statement: unknown;
      readonly parameters: unknown;
      readonly callback: AnyFunction;
      readonly slot: 1 | 2;
    }
  /** No callback: the returned command reports through its events. */
  | { readonly kind: 'events'; readonly statement: unknown; readonly parameters: unknown };

interface Options {
  sql?: unknown;
  values?: unknown;
  onResult?: unknown;
  execute?: unknown;
}

/**
 * `query(sql | options | command, values?, callback?)`, as mysql2's `createQuery` reads it: a function in
 * `values` is the callback; `values` given beside an options object replaces its `values`.
 */
export function readQueryCall(sql: unknown, values: unknown, callback: unknown): StatementCall {
  if (typeof sql === 'object' && sql !== null) {
    const options = sql as Options;
    // A Query command (it can execute itself) rather than plain options.
    if (typeof options.execute === 'function' && 'onResult' in options)
      return { kind: 'command', statement: options.sql, parameters: options.values };
    if (typeof values === 'function')
      return callbackCall(options.sql, options.values, values as AnyFunction, 1);
    return withCallback(options.sql, values !== undefined ? values : options.values, callback);
  }
  if (typeof values === 'function') return callbackCall(sql, undefined, values as AnyFunction, 1);
  return withCallback(sql, values, callback);
}

/** `execute(sql | options, values?, callback?)`: beside an options object, `values` fills in missing ones. */
export function readExecuteCall(sql: unknown, values: unknown, callback: unknown): StatementCall {
  if (typeof sql === 'object' && sql !== null) {
    const options = sql as Options;
    if (typeof values === 'function')
      return callbackCall(options.sql, options.values, values as AnyFunction, 1);
    return withCallback(options.sql, options.values || values, callback);
  }
  if (typeof values === 'function') return callbackCall(sql, undefined, values as AnyFunction, 1);
  return withCallback(sql, values, callback);
}

function withCallback(statement: unknown, parameters: unknown, callback: unknown): StatementCall {
  return typeof callback === 'function'
    ? callbackCall(statement, parameters, callback as AnyFunction, 2)
    : { kind: 'events', statement, parameters };
}

function callbackCall(
  statement: unknown,
  parameters: unknown,
  callback: AnyFunction,
  slot: 1 | 2,
): StatementCall {
  return { kind: 'callback', statement, parameters, callback, slot };
}
