import { wrapMethod } from '../hooks/wrap.js';
import { callerBound, type AnyFunction } from '../sql/caller-context.js';
import { type HookGuard } from '../hooks/hook-guard.js';

/**
 * Wraps pg-pool's `Pool.prototype.connect(callback)` so the callback runs in its caller's async context: a caller
 * waiting for a client is called back from another caller's `release()`, and `pool.query()` issues its query from
 * that callback. Without it, the query's span would join the releasing request's trace. The promise form needs
 * nothing: `await` resumes in the caller's context. Returns the undo.
 */
export function patchPool(Pool: unknown, guard: HookGuard): () => void {
  const proto = (Pool as { prototype?: unknown }).prototype;
  if (typeof proto !== 'object' || proto === null) throw new Error('pg-pool exports no class');
  return wrapMethod(
    proto,
    'connect',
    (original) =>
      function connect(this: unknown, ...args: unknown[]): unknown {
        const callback = args[0];
        if (!guard.on || typeof callback !== 'function') return Reflect.apply(original, this, args);
        let bound: AnyFunction;
        try {
          bound = callerBound(callback as AnyFunction);
        } catch (error) {
          guard.fail(error);
          return Reflect.apply(original, this, args);
        }
        return original.call(this, bound);
      },
  );
}
