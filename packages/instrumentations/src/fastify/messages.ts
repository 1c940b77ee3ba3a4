/**
 * The parts of Fastify's objects the subscribers read, all public API: `request.method`, `request.is404`,
 * `request.routeOptions.url`, `reply.statusCode`, `fastify.version`, `fastify.addHook`.
 */
export interface FastifyRequestLike {
  readonly method?: unknown;
  readonly is404?: unknown;
  readonly routeOptions?: { readonly url?: unknown };
}

export interface FastifyReplyLike {
  readonly statusCode?: unknown;
}

export interface FastifyInstanceLike {
  readonly version?: unknown;
  addHook(name: string, hook: (...args: never[]) => unknown): unknown;
}

/** `fastify.initialization`, published once per `fastify()` instance at the end of its creation. */
export const INITIALIZATION_CHANNEL = 'fastify.initialization';

export interface InitializationMessage {
  readonly fastify?: FastifyInstanceLike;
}

/**
 * The TracingChannel `fastify.request.handler` (lib/handle-request.js, lib/wrap-thenable.js), published around the
 * route handler of a matched route, not for the not-found handler: `start` before the handler runs, `error` when it
 * throws or its promise rejects (after Fastify set the reply's error status), `end`/`asyncStart`/`asyncEnd` as usual.
 */
export const HANDLER_START_CHANNEL = 'tracing:fastify.request.handler:start';
export const HANDLER_ERROR_CHANNEL = 'tracing:fastify.request.handler:error';

/** The store each event of `fastify.request.handler` carries. */
export interface HandlerMessage {
  readonly request?: FastifyRequestLike;
  readonly reply?: FastifyReplyLike;
  /** The route as registered: `url` is its template, prefixes included (`/api/items/:id`). */
  readonly route?: { readonly url?: unknown; readonly method?: unknown };
  readonly error?: unknown;
}
