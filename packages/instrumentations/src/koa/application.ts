import { type Tracer } from '@windsock/core';
import { wrapMethod } from '../hooks/wrap.js';
import { recordKoaError } from './errors.js';
import { type HookGuard } from '../hooks/hook-guard.js';
import { type RouterHooks } from './router-hooks.js';
import { type KoaContext, kKoaRequest, koaRequest, nameUnmatched, settle } from './request.js';

type AnyFunction = (this: unknown, ...args: unknown[]) => unknown;

/**
 * Patches Koa's `Application.prototype`: `handleRequest(ctx, fnMiddleware)`, where each request starts, and `emit`,
 * through which Koa reports every error it handles (`ctx.onerror` emits `'error'` with the `ctx`, and error-handling
 * middleware is documented to do the same). The class is the same object whether the app `require`s or `import`s
 * Koa (its ES module entry re-exports the CommonJS class), so one patch serves both. Returns the undo.
 */
export function patchApplication(
  exports: unknown,
  tracer: Tracer,
  guard: HookGuard,
  routers: RouterHooks,
): () => void {
  const proto = prototypeWith(exports, 'handleRequest');
  if (proto === undefined) throw new Error('Application.prototype.handleRequest not found');
  // The composed middleware is created once per `app.callback()`; its observing wrapper is made once as well.
  const observed = new WeakMap<AnyFunction, AnyFunction>();

  const undoHandle = wrapMethod(
    proto,
    'handleRequest',
    (original) =>
      // `handleRequest(ctx, fnMiddleware)` takes exactly these two (Koa's callback passes nothing else): named
      // parameters spare an arguments array per request.
      function handleRequest(this: unknown, ctx: unknown, fnMiddleware: unknown): unknown {
        let composed = fnMiddleware;
        if (guard.on) {
          try {
            composed =
              start(tracer, ctx, fnMiddleware, routers.patched ? undefined : observed) ??
              fnMiddleware;
          } catch (error) {
            guard.fail(error);
          }
        }
        return original.call(this, ctx, composed);
      },
  );
  const undoEmit = wrapMethod(
    proto,
    'emit',
    (original) =>
      function emit(this: unknown, ...args: unknown[]): unknown {
        if (guard.on && args[0] === 'error') {
          try {
            onAppError(args[1], args[2]);
          } catch (error) {
            guard.fail(error);
          }
        }
        return original.apply(this, args);
      },
  );
  return () => {
    undoEmit();
    undoHandle();
  };
}

/**
 * Takes over the request's entry span (opened by core's http-server instrumentation, active while Koa handles the
 * request): endpoint `/<unmatched>` and Koa's component until a route matches. Returns the middleware to run
 * instead of `fnMiddleware`, or undefined to leave the call as it was. `observed` is given while no @koa/router is
 * hooked: the template another router left on `ctx` is then read once the chain settled.
 */
function start(
  tracer: Tracer,
  ctx: unknown,
  fnMiddleware: unknown,
  observed: WeakMap<AnyFunction, AnyFunction> | undefined,
): AnyFunction | undefined {
  if (typeof fnMiddleware !== 'function' || typeof ctx !== 'object' || ctx === null)
    return undefined;
  const entry = tracer.activeEntrySpan();
  if (entry === undefined) return undefined;
  const context = ctx as KoaContext;
  context[kKoaRequest] = koaRequest(entry);
  nameUnmatched(entry, context);
  if (observed === undefined) return undefined;
  const fn = fnMiddleware as AnyFunction;
  let wrapper = observed.get(fn);
  if (wrapper === undefined) {
    wrapper = observe(fn);
    observed.set(fn, wrapper);
  }
  return wrapper;
}

/**
 * Runs the composed middleware unchanged and returns its own promise (Koa chains its response and error handling on
 * it); beside that, a reaction of ours names the span from the template any router left on `ctx` once the chain
 * settles. Our reaction handles a rejection for itself only: Koa's `.catch` still receives it. Only used while no
 * @koa/router copy is hooked: the reaction's promise is most of what the plugin would otherwise allocate per request.
 */
function observe(fnMiddleware: AnyFunction): AnyFunction {
  return function composedMiddleware(this: unknown, ...args: unknown[]): unknown {
    const result = fnMiddleware.apply(this, args);
    try {
      const context = args[0] as KoaContext | undefined;
      const request = context?.[kKoaRequest];
      if (context !== undefined && request !== undefined && result instanceof Promise) {
        const settled = () => settle(request, context);
        result.then(settled, settled);
      }
    } catch {
      // Observing is best effort: the app has its promise either way.
    }
    return result;
  };
}

function onAppError(error: unknown, ctx: unknown): void {
  if (typeof ctx !== 'object' || ctx === null) return;
  const request = (ctx as KoaContext)[kKoaRequest];
  if (request === undefined || request.errored) return;
  request.errored = true;
  recordKoaError(request.entry, error);
}

/** The prototype holding `method`: of the export itself (CommonJS) or of its `default` (an ES module namespace). */
export function prototypeWith(
  exports: unknown,
  method: string,
  named?: string,
): object | undefined {
  const candidates: unknown[] = [exports];
  if (typeof exports === 'object' || typeof exports === 'function') {
    const record = exports as Record<string, unknown>;
    candidates.push(record.default);
    if (named !== undefined) candidates.push(record[named]);
  }
  for (const candidate of candidates) {
    if (typeof candidate !== 'function') continue;
    const proto = (candidate as { prototype?: unknown }).prototype;
    if (typeof proto === 'object' && proto !== null && method in proto) {
      if (typeof (proto as Record<string, unknown>)[method] === 'function') return proto;
    }
  }
  return undefined;
}
