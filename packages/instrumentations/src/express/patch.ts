import { type Span, type Tracer } from '@windsock/core';
import { ComponentId } from '@windsock/protocol';
import { wrapMethod } from '../hooks/wrap.js';
import { logError } from './errors.js';
import { type HookGuard } from '../hooks/hook-guard.js';
import { RouteName, unmatchedName } from './names.js';
import { type LayerLike, record, type RouterLike, scan, setTemplate } from './structure.js';
import { mountTemplate, pathTemplate } from './template.js';

// A route's template, computed once from `route.path`, with its names.
const kName = Symbol('windsock.express.route');

interface RouteLike {
  path?: unknown;
  [kName]?: RouteName;
}

interface RequestLike {
  method?: unknown;
  baseUrl?: unknown;
}

type AnyFunction = (this: unknown, ...args: unknown[]) => unknown;

/**
 * The OAP form of `nameEntrySpan` (`../http-route/route-name.ts`) with names built once (`names.ts`): the entry span
 * takes the name and the Express component.
 */
function takeOver(entry: Span, name: string): void {
  entry.setOperationName(name);
  entry.setComponent(ComponentId.Express);
}

function methodOf(req: unknown): string | undefined {
  const method = (req as RequestLike).method;
  return typeof method === 'string' ? method : undefined;
}

/**
 * Wraps a router's `handle` (one call per router a request enters), `use` and `route` (registration): Express 4's
 * router (`express/lib/router/index.js`, whose export is the prototype) and the `router` package's
 * `Router.prototype` (Express 5). `late`: the copy was loaded before the instrumentation was enabled, so routers
 * may exist that `use` and `route` never saw. Returns the undo.
 */
export function patchRouter(
  proto: object,
  tracer: Tracer,
  guard: HookGuard,
  late: boolean,
): () => void {
  const undoHandle = wrapMethod(
    proto,
    'handle',
    (original) =>
      function handle(this: unknown, req: unknown, res: unknown, out: unknown) {
        let done = out;
        if (guard.on) {
          try {
            if (late) scan(this as RouterLike, ownRoute);
            done = enterRouter(tracer, guard, req, out);
          } catch (error) {
            guard.fail(error);
          }
        }
        // Routers are always handed the request, the response and the callback.
        return original.call(this, req, res, done);
      },
  );
  const undoUse = wrapMethod(proto, 'use', (original) => wrapRegistration(original, guard, true));
  const undoRoute = wrapMethod(proto, 'route', (original) =>
    wrapRegistration(original, guard, false),
  );
  return () => {
    undoRoute();
    undoUse();
    undoHandle();
  };
}

/**
 * `use` and `route` add layers to the router's stack: what they are is recorded (a mount's template for `use`).
 */
function wrapRegistration(original: AnyFunction, guard: HookGuard, mount: boolean): AnyFunction {
  return function register(this: unknown) {
    let before = -1;
    if (guard.on) {
      try {
        before = stackOf(this)?.length ?? -1;
      } catch (error) {
        guard.fail(error);
      }
    }
    // eslint-disable-next-line prefer-rest-params -- the call goes on exactly as it came
    const args = arguments as unknown as unknown[];
    const result = original.apply(this, args);
    if (guard.on && before >= 0) {
      try {
        if (mount) tagMounts(stackOf(this) ?? [], before, args);
        record(this as RouterLike, before, ownRoute);
      } catch (error) {
        guard.fail(error);
      }
    }
    return result;
  };
}

/**
 * The request enters a router. Only the first router a request enters names it (the router sets `req.baseUrl`
 * on the way in; the routers below it, mounted routers and sub-applications, find it set): the active entry span is
 * renamed `METHOD:/<unmatched>` until a route matches, takes the Express component, and `out` is wrapped so that an
 * error leaving the application (to Express's final handler) is logged.
 */
function enterRouter(tracer: Tracer, guard: HookGuard, req: unknown, out: unknown): unknown {
  if (typeof req !== 'object' || req === null || (req as RequestLike).baseUrl !== undefined)
    return out;
  const entry = tracer.activeEntrySpan();
  if (entry === undefined) return out;
  takeOver(entry, unmatchedName(methodOf(req)));
  if (typeof out !== 'function') return out;
  const done = out as AnyFunction;
  return function (this: unknown, err?: unknown) {
    if (guard.on) {
      try {
        logError(entry, req, err);
      } catch (error) {
        guard.fail(error);
      }
    }
    // eslint-disable-next-line prefer-rest-params -- passes on exactly what Express passed
    return done.apply(this, arguments as unknown as unknown[]);
  };
}

/**
 * Wraps a layer prototype: Express 4's `handle_request`/`handle_error`, router 2's `handleRequest`/`handleError`
 * (whichever exist). A route's layer names the entry span; an error reaching a layer is logged. Returns the undo.
 */
export function patchLayer(proto: object, tracer: Tracer, guard: HookGuard): () => void {
  const undos: (() => void)[] = [];
  for (const key of ['handle_request', 'handleRequest']) {
    undos.push(wrapMethod(proto, key, (original) => wrapHandleRequest(original, tracer, guard)));
  }
  for (const key of ['handle_error', 'handleError']) {
    undos.push(wrapMethod(proto, key, (original) => wrapHandleError(original, tracer, guard)));
  }
  return () => {
    for (const undo of undos.reverse()) undo();
  };
}

function wrapHandleRequest(original: AnyFunction, tracer: Tracer, guard: HookGuard): AnyFunction {
  return function handleRequest(this: unknown, req: unknown, res: unknown, next: unknown) {
    if (guard.on) {
      try {
        onLayer(tracer, this as LayerLike, req);
      } catch (error) {
        guard.fail(error);
      }
    }
    // Layers are always handed the request, the response and `next`.
    return original.call(this, req, res, next);
  };
}

function wrapHandleError(original: AnyFunction, tracer: Tracer, guard: HookGuard): AnyFunction {
  return function handleError(
    this: unknown,
    error: unknown,
    req: unknown,
    res: unknown,
    next: unknown,
  ) {
    if (guard.on) {
      try {
        const entry = tracer.activeEntrySpan();
        if (entry !== undefined) logError(entry, req, error);
      } catch (failure) {
        guard.fail(failure);
      }
    }
    // Layers are always handed the error, the request, the response and `next`.
    return original.call(this, error, req, res, next);
  };
}

/** A route's layer names the entry span; every other layer is left alone (a mount is known from its router). */
function onLayer(tracer: Tracer, layer: LayerLike, req: unknown): void {
  const route = layer.route as RouteLike | null | undefined;
  if (route === undefined || route === null) return;
  const entry = tracer.activeEntrySpan();
  if (entry === undefined) return;
  takeOver(entry, routeName(route).nameFor(methodOf(req), req));
}

function ownRoute(layer: LayerLike, router: RouterLike): void {
  routeName(layer.route as RouteLike).owner = router;
}

function routeName(route: RouteLike): RouteName {
  let name = route[kName];
  if (name === undefined) {
    name = new RouteName(pathTemplate(route.path));
    route[kName] = name;
  }
  return name;
}

function stackOf(router: unknown): unknown[] | undefined {
  if ((typeof router !== 'function' && typeof router !== 'object') || router === null)
    return undefined;
  const stack = (router as { stack?: unknown }).stack;
  return Array.isArray(stack) ? stack : undefined;
}

// `use([path,] ...handlers)`: the path is the first argument unless that is (an array nesting) a function, the
// router's own rule.
function usePath(args: readonly unknown[]): unknown {
  const first = args[0];
  if (typeof first === 'function') return '/';
  let arg = first;
  while (Array.isArray(arg) && arg.length !== 0) arg = (arg as unknown[])[0];
  return typeof arg === 'function' ? '/' : first;
}

function tagMounts(stack: readonly unknown[], before: number, args: readonly unknown[]): void {
  if (stack.length <= before) return;
  const template = mountTemplate(usePath(args));
  for (let i = before; i < stack.length; i++) {
    const layer = stack[i];
    if (typeof layer === 'object' && layer !== null) setTemplate(layer, template);
  }
}
