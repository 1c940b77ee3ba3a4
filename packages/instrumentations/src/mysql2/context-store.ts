import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The AsyncLocalStorage in which @windsock/core keeps the active span. A TracingChannel subscriber can only make the
 * library's callbacks run in the caller's context through `bindStore` on that storage, and core keeps it as a
 * process-wide value (`Symbol.for('windsock.context')` on `globalThis`, shared by every copy of core) without
 * exporting it. Undefined when it cannot be found: spans are still recorded, callbacks keep the library's context.
 */
export function coreContextStore(): AsyncLocalStorage<unknown> | undefined {
  const value = (globalThis as Record<symbol, unknown>)[Symbol.for('windsock.context')];
  return value instanceof AsyncLocalStorage ? (value as AsyncLocalStorage<unknown>) : undefined;
}
