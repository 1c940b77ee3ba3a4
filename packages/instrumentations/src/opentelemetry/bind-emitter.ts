import { type EventEmitter } from 'node:events';
import type * as otel from '@opentelemetry/api';
import { wrapMethod } from '../hooks/wrap.js';

export type AnyFunction = (...args: unknown[]) => unknown;

/** A function that runs `fn` in `context`, with its own `this` and arguments. */
export function bindFunction(
  manager: otel.ContextManager,
  context: otel.Context,
  fn: AnyFunction,
): AnyFunction {
  return function bound(this: unknown, ...args: unknown[]) {
    return manager.with(context, fn, this, ...args);
  };
}

// On a bound emitter: its listeners and the bound functions registered for them, per event, so that
// `removeListener(event, listener)` finds what was really added.
const kBoundListeners = Symbol.for('windsock.otel.boundListeners');

interface BoundEmitter {
  [kBoundListeners]?: Map<string | symbol, WeakMap<AnyFunction, AnyFunction>>;
}

const ADD_METHODS = ['addListener', 'on', 'once', 'prependListener', 'prependOnceListener'];
const REMOVE_METHODS = ['removeListener', 'off'];

/**
 * Binds an emitter's listeners to `context`, as OpenTelemetry's own context managers do: every listener added after
 * this runs in `context`, whatever context emits. An emitter is bound once; the first context wins.
 */
export function bindEmitter<T extends EventEmitter>(
  manager: otel.ContextManager,
  context: otel.Context,
  emitter: T,
): T {
  const holder = emitter as T & BoundEmitter;
  if (holder[kBoundListeners] !== undefined) return emitter;
  const listeners = new Map<string | symbol, WeakMap<AnyFunction, AnyFunction>>();
  holder[kBoundListeners] = listeners;
  // `once` adds its own wrapper through `on`: that inner call must not bind a second time.
  let adding = false;
  for (const method of ADD_METHODS) {
    wrapMethod(
      emitter,
      method,
      (original) =>
        function addBound(this: unknown, event: string | symbol, listener: AnyFunction) {
          if (adding || typeof listener !== 'function') return original.call(this, event, listener);
          let bound = listeners.get(event);
          if (bound === undefined) listeners.set(event, (bound = new WeakMap()));
          const inContext = bindFunction(manager, context, listener);
          bound.set(listener, inContext);
          adding = true;
          try {
            return original.call(this, event, inContext);
          } finally {
            adding = false;
          }
        } as AnyFunction,
    );
  }
  for (const method of REMOVE_METHODS) {
    wrapMethod(
      emitter,
      method,
      (original) =>
        function removeBound(this: unknown, event: string | symbol, listener: AnyFunction) {
          return original.call(this, event, listeners.get(event)?.get(listener) ?? listener);
        } as AnyFunction,
    );
  }
  wrapMethod(
    emitter,
    'removeAllListeners',
    (original) =>
      function removeAllBound(this: unknown, ...args: unknown[]) {
        if (args.length === 0) listeners.clear();
        else listeners.delete(args[0] as string | symbol);
        return original.apply(this, args);
      },
  );
  return emitter;
}
