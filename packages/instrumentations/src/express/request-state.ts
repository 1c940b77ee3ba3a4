import { type Span, type Tracer } from '@windsock/core';
import { ComponentId } from '@windsock/protocol';
import { nameEntrySpan, UNMATCHED_ROUTE } from '../http-route/route-name.js';
import { type Guard } from './guard.js';
import { joinTemplate } from './template.js';

/**
 * What the instrumentation keeps for one request, on the request object under a private symbol (the router itself
 * keeps `baseUrl` and `params` there the same way): the HTTP entry span it names, the route template of the mounts
 * the request is inside, and the errors already logged.
 */
interface RequestState {
  readonly entry: Span;
  /** The mounts entered so far (`/api/v1`); undefined when one of them has no known template. */
  prefix: string | undefined;
  /** Errors logged on the entry span: one object seen by several layers is logged once. */
  logged: unknown[] | undefined;
}

const kState = Symbol('windsock.express.request');

interface TrackedRequest {
  [kState]?: RequestState | null;
  method?: unknown;
}

type Next = (this: unknown, ...args: unknown[]) => unknown;

function stateOf(req: unknown): RequestState | undefined {
  if (typeof req !== 'object' || req === null) return undefined;
  return (req as TrackedRequest)[kState] ?? undefined;
}

/** Whether the request is inside a router with an entry span to name (else the layers have nothing to do). */
export function isTraced(req: unknown): boolean {
  return stateOf(req) !== undefined;
}

function methodOf(req: TrackedRequest): string | undefined {
  return typeof req.method === 'string' ? req.method : undefined;
}

/**
 * The request enters a router. The first router it enters (the application's) takes over the entry span that is
 * active: renamed `METHOD:/<unmatched>` until a route matches, component Express. Returns `out` wrapped so that an
 * error leaving the application (to Express's final handler) is logged, or `out` itself for an inner router.
 */
export function enterRouter(tracer: Tracer, guard: Guard, req: unknown, out: unknown): unknown {
  if (typeof req !== 'object' || req === null) return out;
  const tracked = req as TrackedRequest;
  if (tracked[kState] !== undefined) return out;
  const entry = tracer.activeEntrySpan();
  if (entry === undefined) {
    // No trace (an ignored path, a suppressed context): remembered so inner routers do not look again.
    tracked[kState] = null;
    return out;
  }
  tracked[kState] = { entry, prefix: '', logged: undefined };
  nameEntrySpan(entry, methodOf(tracked), UNMATCHED_ROUTE, ComponentId.Express);
  if (typeof out !== 'function') return out;
  const done = out as Next;
  return function (this: unknown, err?: unknown) {
    if (guard.on) {
      try {
        recordError(req, err);
      } catch (error) {
        guard.fail(error);
      }
    }
    // eslint-disable-next-line prefer-rest-params -- passes on exactly what Express passed
    return done.apply(this, arguments as unknown as unknown[]);
  };
}

/** A route matched: the entry span takes its template under the mounts the request is inside. */
export function routeMatched(req: unknown, template: string): void {
  const state = stateOf(req);
  if (state === undefined) return;
  const name = state.prefix === undefined ? UNMATCHED_ROUTE : joinTemplate(state.prefix, template);
  nameEntrySpan(state.entry, methodOf(req as TrackedRequest), name, ComponentId.Express);
}

/**
 * The request enters a mount (`app.use('/api', router)`): routes below it are under `template` until the mount
 * hands the request back through `next`, which is wrapped to restore the prefix, as the router restores
 * `req.baseUrl`. Returns `next` itself when nothing changes (the root mount, or no trace).
 */
export function enterMount(req: unknown, template: string | undefined, next: unknown): unknown {
  if (template === '' || typeof next !== 'function') return next;
  const state = stateOf(req);
  if (state === undefined) return next;
  const saved = state.prefix;
  state.prefix =
    saved === undefined || template === undefined ? undefined : joinTemplate(saved, template);
  const original = next as Next;
  return function restoringNext(this: unknown) {
    state.prefix = saved;
    // eslint-disable-next-line prefer-rest-params -- passes on exactly what the mount passed
    return original.apply(this, arguments as unknown as unknown[]);
  };
}

/**
 * An error passed to `next` (or thrown, or a rejected promise, which the router passes to `next`) marks the entry
 * span as failed, logged once however many layers see it. `'route'` and `'router'` are routing signals, not errors.
 */
export function recordError(req: unknown, err: unknown): void {
  if (err === undefined || err === null || err === false || err === 'route' || err === 'router')
    return;
  const state = stateOf(req);
  if (state === undefined) return;
  if (state.logged === undefined) state.logged = [err];
  else if (state.logged.includes(err)) return;
  else state.logged.push(err);
  state.entry.error(err);
}
