import { joinTemplate, matchedTemplate, mountTemplate } from './template.js';

// Where each router is mounted is known from the routers themselves, so a request needs no bookkeeping of the
// mounts it passes: keeping per-request state (the request's mount prefix, restored by wrapping `next`) cost more
// than everything else this instrumentation does. `use` and `route` record what they add (a layer whose handler is
// a router is a mount of that router); routers built before the instrumentation was enabled are scanned as they are
// entered instead. A sub-application mounted with `app.use` is behind a closure of Express's, so it is placed
// through what Express keeps on it (`parent`, `mountpath`) and the request's `app`.
//
// What is learnt is kept beside Express's routers and layers, in weak maps, not on them: properties of ours would
// give their objects new shapes under Express's own hot property reads.

export type RouterLike = object;

export interface LayerLike {
  route?: unknown;
  handle?: unknown;
  rawPath?: unknown;
  path?: unknown;
  keys?: unknown;
  params?: unknown;
}

interface Mount {
  readonly parent: RouterLike;
  readonly layer: LayerLike;
}

interface RouterInfo {
  /** The stack's length when it was last scanned. */
  scanned: number;
  /** Where the router is mounted; undefined for an application's router (or one not found in any stack yet). */
  mounts: Mount[] | undefined;
}

interface AppLike {
  parent?: unknown;
  mountpath?: unknown;
}

// Deeper nesting than any application has: a router mounted inside itself must not loop.
const MAX_DEPTH = 32;

const routers = new WeakMap<RouterLike, RouterInfo>();
/** The template a mount layer adds (`/api`, `''` for the root): stored by `use`, or learnt for older layers. */
const templates = new WeakMap<LayerLike, string>();
let version = 0;

/** Changes whenever a mount is learnt: names cached under an older value are recomputed. */
export function structureVersion(): number {
  return version;
}

/** `use` registered `layer` with `template`. */
export function setTemplate(layer: LayerLike, template: string): void {
  templates.set(layer, template);
}

/**
 * Records what the layers of `router`'s stack from `from` on are: a route's layer is passed to `onRoute` (which
 * remembers its router), a layer whose handler is a router records a mount of that router.
 */
export function record(
  router: RouterLike,
  from: number,
  onRoute: (layer: LayerLike, router: RouterLike) => void,
): void {
  const stack = (router as { stack?: unknown }).stack;
  if (!Array.isArray(stack)) return;
  for (let i = from; i < stack.length; i++) {
    const layer: unknown = stack[i];
    if (typeof layer !== 'object' || layer === null) continue;
    const found = layer as LayerLike;
    if (found.route !== undefined && found.route !== null) {
      onRoute(found, router);
      continue;
    }
    const child = childRouter(found.handle);
    if (child === undefined) continue;
    const mounts = (infoOf(child).mounts ??= []);
    if (!mounts.some((m) => m.layer === found)) {
      mounts.push({ parent: router, layer: found });
      version += 1;
    }
  }
}

/**
 * For routers registered before the instrumentation was enabled, which `use` and `route` did not see: records the
 * stack when it grew since the last look. Called as the router is entered, so its mounts are known before the
 * routers below it are.
 */
export function scan(
  router: RouterLike,
  onRoute: (layer: LayerLike, router: RouterLike) => void,
): void {
  const stack = (router as { stack?: unknown }).stack;
  if (!Array.isArray(stack)) return;
  const info = infoOf(router);
  if (info.scanned === stack.length) return;
  info.scanned = stack.length;
  record(router, 0, onRoute);
}

function infoOf(router: RouterLike): RouterInfo {
  let info = routers.get(router);
  if (info === undefined) {
    info = { scanned: -1, mounts: undefined };
    routers.set(router, info);
  }
  return info;
}

let appConsulted = false;

/** Whether the last `prefixOf` depended on the request's application (a sub-application's router was reached). */
export function prefixUsedApp(): boolean {
  return appConsulted;
}

/**
 * The template of the mounts above `router` (`/api/tenants/:tenantId`); `app` is the request's application, for a
 * router that is a sub-application's. A router mounted at several places gets its alternatives in brackets
 * (`[/v1,/v2]`), as an array path does. Undefined when a mount's template is unknown.
 */
export function prefixOf(router: RouterLike, app: unknown): string | undefined {
  appConsulted = false;
  return prefixAbove(router, app, 0);
}

function prefixAbove(router: RouterLike, app: unknown, depth: number): string | undefined {
  if (depth > MAX_DEPTH) return undefined;
  const mounts = routers.get(router)?.mounts;
  if (mounts !== undefined && mounts.length > 0) {
    const found: string[] = [];
    for (const { parent, layer } of mounts) {
      const template = templateOf(layer);
      if (template === undefined) return undefined;
      const above = prefixAbove(parent, app, depth + 1);
      if (above === undefined) return undefined;
      const joined = joinMount(above, template);
      if (!found.includes(joined)) found.push(joined);
    }
    return found.length === 1 ? found[0] : `[${found.join(',')}]`;
  }
  if (typeof app === 'function' || (typeof app === 'object' && app !== null)) {
    const { parent, mountpath } = app as AppLike;
    if (parent !== undefined && parent !== null && appRouter(app) === router) {
      appConsulted = true;
      const parentRouter = appRouter(parent);
      const above = parentRouter === undefined ? '' : prefixAbove(parentRouter, parent, depth + 1);
      return above === undefined ? undefined : joinMount(above, mountTemplate(mountpath ?? '/'));
    }
  }
  return '';
}

/**
 * A mount layer's template: the one `use` stored; for a layer registered before the instrumentation was enabled,
 * router 2.3's raw path, or (Express 4, router 2.2, which keep only what a layer last matched) the template rebuilt
 * from its last match, each parameter's value replaced by `:name`. Kept once known; undefined while it cannot be
 * rebuilt (the layer's last match failed, or a parameter's value is not a whole segment).
 */
function templateOf(layer: LayerLike): string | undefined {
  const template = templates.get(layer);
  if (template !== undefined) return template;
  let learnt: string | undefined;
  if (layer.rawPath !== undefined) learnt = mountTemplate(layer.rawPath);
  else if (typeof layer.path === 'string') {
    const keys = Array.isArray(layer.keys) ? (layer.keys as unknown[]) : [];
    const params =
      typeof layer.params === 'object' && layer.params !== null
        ? (layer.params as Record<string, unknown>)
        : undefined;
    const rebuilt = matchedTemplate(layer.path, keys, params);
    if (rebuilt !== undefined) learnt = mountTemplate(rebuilt);
  }
  if (learnt !== undefined) templates.set(layer, learnt);
  return learnt;
}

function joinMount(prefix: string, template: string): string {
  if (template === '') return prefix;
  if (prefix === '') return template;
  return joinTemplate(prefix, template);
}

/** A router (`express.Router()`), or the router of an application used as a handler. */
function childRouter(handle: unknown): RouterLike | undefined {
  if (typeof handle !== 'function') return undefined;
  const candidate = handle as { stack?: unknown; handle?: unknown; set?: unknown };
  if (Array.isArray(candidate.stack) && typeof candidate.handle === 'function') return candidate;
  if (typeof candidate.handle === 'function' && typeof candidate.set === 'function') {
    return appRouter(handle);
  }
  return undefined;
}

/**
 * An application's router: Express 4's `_router` (created with the first route; its `router` getter throws),
 * Express 5's `router`.
 */
function appRouter(app: unknown): RouterLike | undefined {
  try {
    const holder = app as { _router?: unknown; router?: unknown; lazyrouter?: unknown };
    const router = typeof holder.lazyrouter === 'function' ? holder._router : holder.router;
    return typeof router === 'function' ? router : undefined;
  } catch {
    return undefined;
  }
}
