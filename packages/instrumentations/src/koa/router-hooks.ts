/** Whether a copy of @koa/router was hooked: its hook then names every route it matches, as it matches. */
export interface RouterHooks {
  patched: boolean;
}
