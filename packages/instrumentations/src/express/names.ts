import { routeOperationName, UNMATCHED_ROUTE } from '../http-route/route-name.js';
import { prefixOf, prefixUsedApp, type RouterLike, structureVersion } from './structure.js';
import { joinTemplate } from './template.js';

// Names are built once and reused: naming a request then costs no string building, and every request of an
// endpoint carries the very same string.

interface Cached {
  version: number;
  /** The application the name was built under, or `ANY_APP` when it does not depend on it. */
  app: unknown;
  name: string;
}

const ANY_APP = Symbol('any application');

/** A route's template and its operation names, by method, for the mounts and application they were built under. */
export class RouteName {
  private readonly byMethod = new Map<string | undefined, Cached>();
  /** The router the route is in, known once that router was entered. */
  owner: RouterLike | undefined = undefined;

  constructor(readonly template: string) {}

  /**
   * The name for `method` under the mounts above the route's router, rebuilt only when the mounts known (or, for a
   * route of a sub-application, the request's application) changed since it was built. A mount above without a
   * known template makes it `METHOD:/<unmatched>`.
   */
  nameFor(method: string | undefined, req: unknown): string {
    const version = structureVersion();
    const cached = this.byMethod.get(method);
    if (
      cached !== undefined &&
      cached.version === version &&
      (cached.app === ANY_APP || cached.app === (req as { app?: unknown }).app)
    )
      return cached.name;
    const app = (req as { app?: unknown }).app;
    const above = this.owner === undefined ? '' : prefixOf(this.owner, app);
    // Not kept: the unknown mount may be learnt by the next request.
    if (above === undefined) return unmatchedName(method);
    const name = routeOperationName(method, joinTemplate(above, this.template));
    const keyApp = prefixUsedApp() ? app : ANY_APP;
    if (cached !== undefined) {
      cached.version = version;
      cached.app = keyApp;
      cached.name = name;
    } else if (this.byMethod.size < MAX_METHODS) {
      this.byMethod.set(method, { version, app: keyApp, name });
    }
    return name;
  }
}

// Node's HTTP parser accepts only the methods it knows; the bound keeps a server behind another parser safe too.
const MAX_METHODS = 64;
const unmatched = new Map<string | undefined, string>();

/** `METHOD:/<unmatched>`. */
export function unmatchedName(method: string | undefined): string {
  let name = unmatched.get(method);
  if (name === undefined) {
    name = routeOperationName(method, UNMATCHED_ROUTE);
    if (unmatched.size < MAX_METHODS) unmatched.set(method, name);
  }
  return name;
}
