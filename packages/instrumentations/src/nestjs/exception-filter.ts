import { type Tracer } from '@windsock/core';
import { type HookGuard } from '../hooks/hook-guard.js';
import { wrapMethod } from '../hooks/wrap.js';
import { isServerError } from './server-error.js';

/**
 * Wraps `BaseExceptionFilter.prototype.catch` of one loaded `@nestjs/core` (its exports or ES module namespace), where
 * Nest answers an exception a handler threw or rejected with, before Express sees it: a server error is logged on the
 * request's entry span. Nest's `ExceptionsHandler` and filters that extend `BaseExceptionFilter` reach it through
 * `super.catch`. Returns the undo; throws (one diagnostic line, module left as it was) when the class is not there.
 */
export function patchExceptionFilter(
  exports: unknown,
  tracer: Tracer,
  guard: HookGuard,
): () => void {
  const filter = (exports as { BaseExceptionFilter?: unknown }).BaseExceptionFilter;
  const prototype = (filter as { prototype?: unknown } | undefined)?.prototype;
  if (typeof filter !== 'function' || typeof prototype !== 'object' || prototype === null)
    throw new TypeError('@nestjs/core exports no BaseExceptionFilter class');
  return wrapMethod(
    prototype,
    'catch',
    (original) =>
      function (this: unknown, ...args: unknown[]): unknown {
        if (guard.on) {
          try {
            const [exception] = args;
            if (isServerError(this, exception)) tracer.activeEntrySpan()?.error(exception);
          } catch (error) {
            guard.fail(error);
          }
        }
        return original.apply(this, args);
      },
  );
}
