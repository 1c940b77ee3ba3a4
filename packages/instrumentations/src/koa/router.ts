import { type Tracer } from '@windsock/core';
import { wrapMethod } from '../hooks/wrap.js';
import { prototypeWith } from './application.js';
import { type HookGuard } from '../hooks/hook-guard.js';
import { type RouterHooks } from './router-hooks.js';
import { type KoaContext, kKoaRequest, nameFromContext } from './request.js';

/**
 * Patches @koa/router's `Router.prototype._setMatchedRouteInfo(ctx, layers)`, which sets `ctx._matchedRoute` to the
 * matched route's full template (prefixes and nested routers' mount paths included: the router flattens nested
 * routers into its own stack) right before the route's middleware runs. Naming the span there, rather than after the
 * handler, means an exit span the handler starts already carries the route as its parent endpoint in `sw8`.
 * The CommonJS and ES module builds of @koa/router are separate copies: each is patched when it loads.
 */
export function patchRouter(
  exports: unknown,
  tracer: Tracer,
  guard: HookGuard,
  routers: RouterHooks,
): () => void {
  const proto = prototypeWith(exports, '_setMatchedRouteInfo', 'Router');
  if (proto === undefined) throw new Error('Router.prototype._setMatchedRouteInfo not found');
  routers.patched = true;
  return wrapMethod(
    proto,
    '_setMatchedRouteInfo',
    (original) =>
      // The private `_setMatchedRouteInfo(ctx, matchedLayers)` is called with exactly these two.
      function _setMatchedRouteInfo(this: unknown, ctx: unknown, layers: unknown): unknown {
        const result = original.call(this, ctx, layers);
        if (guard.on) {
          try {
            onMatched(tracer, ctx);
          } catch (error) {
            guard.fail(error);
          }
        }
        return result;
      },
  );
}

function onMatched(tracer: Tracer, ctx: unknown): void {
  if (typeof ctx !== 'object' || ctx === null) return;
  const context = ctx as KoaContext;
  const request = context[kKoaRequest];
  // Without Koa's own hook (Koa loaded before the agent), the router still names the active request's span.
  const entry = request?.entry ?? tracer.activeEntrySpan();
  if (entry === undefined) return;
  if (nameFromContext(entry, context) && request !== undefined) request.routed = true;
}
