import { type Logger } from '@windsock/core';
import { instrumentWinston, type WinstonLoggerLike } from '@windsock/core/winston';
import { type HookGuard } from '../hooks/hook-guard.js';
import { wrapMethod } from '../hooks/wrap.js';

/**
 * Wraps `Logger.prototype.configure`, which winston's constructor calls and an application may call again later
 * (it replaces the format): after it, the logger is instrumented as `agent.instrumentWinston` would (core
 * instruments a logger once, and wraps a replaced format again). The undo also undoes every logger instrumented
 * here that is still alive.
 */
export function patchLogger(
  exports: unknown,
  reporter: Logger,
  guard: HookGuard,
  loggers: Set<WeakRef<object>>,
): () => void {
  const prototype = (exports as { prototype?: object }).prototype;
  if (typeof exports !== 'function' || prototype === undefined) return () => {};
  const undos = new WeakMap<object, () => void>();
  let sweepAt = SWEEP_MIN;
  const unwrap = wrapMethod(
    prototype,
    'configure',
    (original) =>
      function (this: unknown, ...args: unknown[]): unknown {
        const result = Reflect.apply(original, this, args);
        if (guard.on && typeof this === 'object' && this !== null) {
          try {
            if (!undos.has(this)) {
              loggers.add(new WeakRef(this));
              if (loggers.size >= sweepAt) sweepAt = SWEEP_MIN + 2 * sweep(loggers);
            }
            undos.set(this, instrumentWinston(this as WinstonLoggerLike, reporter));
          } catch (error) {
            guard.fail(error);
          }
        }
        return result;
      },
  );
  return () => {
    unwrap();
    for (const ref of loggers) {
      const logger = ref.deref();
      if (logger !== undefined) undos.get(logger)?.();
    }
    loggers.clear();
  };
}

/** An application that creates loggers over and over must not grow this set: references to collected ones go. */
const SWEEP_MIN = 64;

function sweep(loggers: Set<WeakRef<object>>): number {
  for (const ref of loggers) if (ref.deref() === undefined) loggers.delete(ref);
  return loggers.size;
}
