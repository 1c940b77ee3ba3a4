import { wrapMethod } from '../hooks/wrap.js';
import { callerBound, type AnyFunction } from '../sql/caller-context.js';
import { type HookGuard } from '../hooks/hook-guard.js';

/**
 * Wraps pg-cursor's `read(rows, callback)` and `close(callback)` so their callbacks run in the caller's async
 * context (pg-cursor calls them from the connection's data handler). The cursor's span itself is opened by
 * `client.query(cursor)`. `exports` is the class (CommonJS) or an ES module namespace whose default is the class.
 * Returns the undo.
 */
export function patchCursor(exports: unknown, guard: HookGuard): () => void {
  const Cursor =
    typeof exports === 'function' ? exports : (exports as { default?: unknown } | null)?.default;
  const proto = (Cursor as { prototype?: unknown } | undefined)?.prototype;
  if (typeof proto !== 'object' || proto === null) throw new Error('pg-cursor exports no class');
  const undoRead = wrapMethod(proto, 'read', (original) => bindingCallbackAt(original, 1, guard));
  const undoClose = wrapMethod(proto, 'close', (original) => bindingCallbackAt(original, 0, guard));
  return () => {
    undoRead();
    undoClose();
  };
}

function bindingCallbackAt(original: AnyFunction, position: number, guard: HookGuard): AnyFunction {
  return function (this: unknown, ...args: unknown[]): unknown {
    const callback = args[position];
    if (guard.on && typeof callback === 'function') {
      try {
        args[position] = callerBound(callback as AnyFunction);
      } catch (error) {
        guard.fail(error);
        args[position] = callback;
      }
    }
    return original.apply(this, args);
  };
}
