import { type AnyFunction } from '../sql/caller-context.js';

/** How `Client.prototype.query(config, values, callback)` will deliver its outcome, read as pg reads its arguments. */
export type QueryCall =
  /** A submittable (pg-cursor, pg-query-stream, a `pg.Query`): pg returns it and calls its `handle*` methods. */
  | { readonly kind: 'submittable'; readonly statement: unknown; readonly parameters: unknown }
  /** A callback, in the `values` (1) or `callback` (2) position; a `config.callback` is passed as `callback`. */
  | {
      readonly kind: 'callback';
      readonly statement: unknown;
      readonly parameters: unknown;
      readonly callback: AnyFunction;
      readonly slot: 1 | 2;
    }
  /** No callback: pg returns a promise. */
  | { readonly kind: 'promise'; readonly statement: unknown; readonly parameters: unknown }
  /** A callback that is not a function: pg throws a TypeError, which the span records. */
  | { readonly kind: 'invalid'; readonly statement: unknown; readonly parameters: unknown };

interface QueryConfig {
  text?: unknown;
  values?: unknown;
  callback?: unknown;
  submit?: unknown;
  cursor?: { text?: unknown; values?: unknown };
}

/** Reads a query's arguments with pg's precedence: `callback`, then a function `values`, then `config.callback`. */
export function readQueryCall(config: unknown, values: unknown, callback: unknown): QueryCall {
  if (typeof config === 'string') return plain(config, values, callback, undefined);
  const object = config as QueryConfig;
  if (typeof object.submit === 'function') {
    // pg-query-stream keeps its text on the cursor it wraps.
    return {
      kind: 'submittable',
      statement: object.text ?? object.cursor?.text,
      parameters: object.values ?? object.cursor?.values,
    };
  }
  return plain(object.text, values, callback, object);
}

function plain(
  statement: unknown,
  values: unknown,
  callback: unknown,
  config: QueryConfig | undefined,
): QueryCall {
  const parameters = values && typeof values !== 'function' ? values : config?.values;
  if (callback) {
    return typeof callback === 'function'
      ? { kind: 'callback', statement, parameters, callback: callback as AnyFunction, slot: 2 }
      : { kind: 'invalid', statement, parameters };
  }
  if (typeof values === 'function')
    return { kind: 'callback', statement, parameters, callback: values as AnyFunction, slot: 1 };
  const configCallback = config?.callback;
  if (configCallback) {
    return typeof configCallback === 'function'
      ? {
          kind: 'callback',
          statement,
          parameters,
          callback: configCallback as AnyFunction,
          slot: 2,
        }
      : { kind: 'invalid', statement, parameters };
  }
  return { kind: 'promise', statement, parameters };
}
