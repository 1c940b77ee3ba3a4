import { type Span } from '@windsock/core';
import { ComponentId } from '@windsock/protocol';
import { nameEntrySpan, UNMATCHED_ROUTE } from '../http-route/route-name.js';
import { type FastifyRequestLike } from './messages.js';

/**
 * OAP's `component-libraries.yml` has no Fastify entry: the span keeps the HTTP server's own component (HttpServer),
 * which OAP shows as a plain HTTP service, rather than claiming another framework's id (Express, Koa) and showing a
 * Fastify service as one.
 */
export const FASTIFY_COMPONENT_ID: number = ComponentId.HttpServer;

/** Names the entry span after the route template, or `/<unmatched>` when Fastify routed the request to not-found. */
export function nameFromRequest(entry: Span, request: FastifyRequestLike): void {
  const template = request.is404 === true ? UNMATCHED_ROUTE : templateOf(request);
  nameEntrySpan(entry, methodOf(request), template, FASTIFY_COMPONENT_ID);
}

/** Names the entry span after the route a handler channel message carries. */
export function nameFromRoute(entry: Span, request: FastifyRequestLike, url: unknown): void {
  if (typeof url !== 'string') return;
  nameEntrySpan(entry, methodOf(request), url, FASTIFY_COMPONENT_ID);
}

function templateOf(request: FastifyRequestLike): string {
  const url = request.routeOptions?.url;
  return typeof url === 'string' ? url : UNMATCHED_ROUTE;
}

function methodOf(request: FastifyRequestLike): string | undefined {
  const method = request.method;
  return typeof method === 'string' ? method : undefined;
}
