type AnyFunction = (this: unknown, ...args: unknown[]) => unknown;

/** Runs `fn` with `thisArg` and `args` in a chosen async context. */
export type ContextRunner = (fn: AnyFunction, thisArg: unknown, args: unknown[]) => unknown;

/**
 * Routes every event of one call object through `run`, after `observe` has seen it. grpc-js emits a call's events
 * from its HTTP/2 stream, whose async context is wherever the connection or the stream happened to be created (often
 * another request's); listeners must run in the context of the call they belong to. Overriding `emit` on the one
 * object (not a listener of our own) leaves listener counts, `error` semantics and listener identity as they were.
 */
export function routeEvents(
  emitter: object,
  observe: (event: unknown, arg: unknown) => void,
  run: ContextRunner,
): void {
  const emit = (emitter as { emit?: unknown }).emit;
  if (typeof emit !== 'function') return;
  Object.defineProperty(emitter, 'emit', {
    configurable: true,
    enumerable: false,
    writable: true,
    value: function routedEmit(this: unknown, ...args: unknown[]): unknown {
      try {
        observe(args[0], args[1]);
      } catch {
        // Observing is agent work; the event goes on regardless.
      }
      return run(emit as AnyFunction, this, args);
    },
  });
}
