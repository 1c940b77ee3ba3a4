import { type Tracer } from '@windsock/core';
import { wrapMethod } from '../hooks/wrap.js';
import { type Guard } from './guard.js';
import { enterMount, enterRouter, isTraced, recordError, routeMatched } from './request-state.js';
import { matchedTemplate, mountTemplate, pathTemplate } from './template.js';

// The template of a mount, stored on its layer when `use` registers it: the layer itself keeps only a matcher
// (Express 4, router 2.2) or the raw path (router 2.3).
const kMount = Symbol('windsock.express.mount');
// A route's template, computed once from `route.path`.
const kTemplate = Symbol('windsock.express.template');

interface RouteLike {
  path?: unknown;
  [kTemplate]?: string;
}

interface LayerLike {
  route?: RouteLike | null;
  rawPath?: unknown;
  path?: unknown;
  keys?: unknown;
  params?: unknown;
  [kMount]?: string;
}

type AnyFunction = (this: unknown, ...args: unknown[]) => unknown;

/**
 * Wraps a router's `handle` (one call per router a request enters) and `use` (registration): Express 4's router
 * (`express/lib/router/index.js`, whose export is the prototype) and the `router` package's `Router.prototype`
 * (Express 5). Returns the undo.
 */
export function patchRouter(proto: object, tracer: Tracer, guard: Guard): () => void {
  const undoHandle = wrapMethod(
    proto,
    'handle',
    (original) =>
      function handle(this: unknown, req: unknown, res: unknown, out: unknown) {
        let done = out;
        if (guard.on) {
          try {
            done = enterRouter(tracer, guard, req, out);
          } catch (error) {
            guard.fail(error);
          }
        }
        // eslint-disable-next-line prefer-rest-params -- the call goes on exactly as it came
        if (done === out) return original.apply(this, arguments as unknown as unknown[]);
        return original.call(this, req, res, done);
      },
  );
  const undoUse = wrapMethod(
    proto,
    'use',
    (original) =>
      function use(this: unknown) {
        let stack: unknown[] | undefined;
        let before = 0;
        if (guard.on) {
          try {
            stack = stackOf(this);
            before = stack?.length ?? 0;
          } catch (error) {
            guard.fail(error);
          }
        }
        // eslint-disable-next-line prefer-rest-params -- the call goes on exactly as it came
        const args = arguments as unknown as unknown[];
        const result = original.apply(this, args);
        if (guard.on && stack !== undefined) {
          try {
            tagMounts(stack, before, args);
          } catch (error) {
            guard.fail(error);
          }
        }
        return result;
      },
  );
  return () => {
    undoUse();
    undoHandle();
  };
}

/**
 * Wraps a layer prototype: Express 4's `handle_request`/`handle_error`, router 2's `handleRequest`/`handleError`
 * (whichever exist). A route's layer names the entry span, a mount's layer adds its template for the routes below,
 * an error reaching a layer is logged. Returns the undo.
 */
export function patchLayer(proto: object, guard: Guard): () => void {
  const undos: (() => void)[] = [];
  for (const key of ['handle_request', 'handleRequest']) {
    undos.push(wrapMethod(proto, key, (original) => wrapHandleRequest(original, guard)));
  }
  for (const key of ['handle_error', 'handleError']) {
    undos.push(wrapMethod(proto, key, (original) => wrapHandleError(original, guard)));
  }
  return () => {
    for (const undo of undos.reverse()) undo();
  };
}

function wrapHandleRequest(original: AnyFunction, guard: Guard): AnyFunction {
  return function handleRequest(this: unknown, req: unknown, res: unknown, next: unknown) {
    let chained = next;
    if (guard.on) {
      try {
        chained = onLayer(this as LayerLike, req, next);
      } catch (error) {
        guard.fail(error);
      }
    }
    // eslint-disable-next-line prefer-rest-params -- the call goes on exactly as it came
    if (chained === next) return original.apply(this, arguments as unknown as unknown[]);
    return original.call(this, req, res, chained);
  };
}

function wrapHandleError(original: AnyFunction, guard: Guard): AnyFunction {
  return function handleError(this: unknown, error: unknown, req: unknown) {
    if (guard.on) {
      try {
        recordError(req, error);
      } catch (failure) {
        guard.fail(failure);
      }
    }
    // eslint-disable-next-line prefer-rest-params -- the call goes on exactly as it came
    return original.apply(this, arguments as unknown as unknown[]);
  };
}

function onLayer(layer: LayerLike, req: unknown, next: unknown): unknown {
  if (!isTraced(req)) return next;
  const route = layer.route;
  if (route !== undefined && route !== null) {
    routeMatched(req, routeTemplate(route));
    return next;
  }
  return enterMount(req, layerMount(layer), next);
}

function routeTemplate(route: RouteLike): string {
  let template = route[kTemplate];
  if (template === undefined) {
    template = pathTemplate(route.path);
    route[kTemplate] = template;
  }
  return template;
}

/**
 * A non-route layer's mount template: the one `use` stored, else (a layer registered before the instrumentation
 * was enabled) router 2.3's raw path, else the template rebuilt from what the layer matched. Route handlers' own
 * layers never matched anything (or match `/`) and add nothing. Undefined: a mount whose template is unknown.
 */
function layerMount(layer: LayerLike): string | undefined {
  const tagged = layer[kMount];
  if (tagged !== undefined) return tagged;
  if (layer.rawPath !== undefined) return mountTemplate(layer.rawPath);
  if (typeof layer.path !== 'string') return '';
  const keys = Array.isArray(layer.keys) ? (layer.keys as unknown[]) : [];
  const params =
    typeof layer.params === 'object' && layer.params !== null
      ? (layer.params as Record<string, unknown>)
      : undefined;
  const template = matchedTemplate(layer.path, keys, params);
  return template === undefined ? undefined : mountTemplate(template);
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
    if (typeof layer === 'object' && layer !== null) (layer as LayerLike)[kMount] = template;
  }
}
