import { type Span } from '@windsock/core';
import { ComponentId } from '@windsock/protocol';
import { nameEntrySpan, UNMATCHED_ROUTE } from '../http-route/route-name.js';

// The request's state rides on Koa's `ctx` under a private symbol: the router hook and the error hook are handed the
// `ctx`, and a symbol-keyed field is cheaper than a WeakMap entry per request.
export const kKoaRequest = Symbol('windsock.koa.request');

/** What the hooks read from Koa's `ctx` (its public fields, plus what routers set on it). */
export interface KoaContext {
  readonly method?: unknown;
  /** The matched route's template, set by @koa/router (and the older koa-router) when a route matches. */
  readonly _matchedRoute?: unknown;
  [kKoaRequest]?: KoaRequest;
}

/**
 * One request Koa handles: its entry span, and whether a router hook already named it. A plain object literal: the
 * cheapest shape V8 allocates, and the hooks only read and set its fields.
 */
export interface KoaRequest {
  readonly entry: Span;
  /** Set once a router hook named the span, so the template read after the middleware chain does not override it. */
  routed: boolean;
  /** Set once an error was recorded: one request, one error log. */
  errored: boolean;
}

export function koaRequest(entry: Span): KoaRequest {
  return { entry, routed: false, errored: false };
}

/**
 * Called when the middleware chain settled (either way). Routers other than a hooked @koa/router still leave the
 * template in `ctx._matchedRoute`; reading it here names the span before Koa writes the response.
 */
export function settle(request: KoaRequest, ctx: KoaContext): void {
  try {
    if (!request.routed) nameFromContext(request.entry, ctx);
  } catch {
    // Naming is best effort; the request goes on as Koa handles it.
  }
}

/** The route template a router left on `ctx`, or undefined when none matched. */
export function matchedRoute(ctx: KoaContext): string | undefined {
  const route = ctx._matchedRoute;
  if (typeof route === 'string') return route;
  // A route registered as a regular expression: its source is still a template, never the requested path.
  if (route instanceof RegExp) return String(route);
  return undefined;
}

/** Names `entry` after the route on `ctx`; returns false when no route matched. */
export function nameFromContext(entry: Span, ctx: KoaContext): boolean {
  const route = matchedRoute(ctx);
  if (route === undefined) return false;
  nameEntrySpan(entry, methodOf(ctx), route, ComponentId.Koa);
  return true;
}

/** Koa took the request: until a route matches, its endpoint is the unmatched one, never the raw path. */
export function nameUnmatched(entry: Span, ctx: KoaContext): void {
  nameEntrySpan(entry, methodOf(ctx), UNMATCHED_ROUTE, ComponentId.Koa);
}

function methodOf(ctx: KoaContext): string | undefined {
  const method = ctx.method;
  return typeof method === 'string' ? method : undefined;
}
