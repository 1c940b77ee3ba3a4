import { type Span } from '@windsock/core';

/**
 * The endpoint of a request a framework handled but no route matched. Never the raw path: a scanner requesting
 * random URLs would otherwise create one OAP endpoint per URL.
 */
export const UNMATCHED_ROUTE = '/<unmatched>';

/** `GET:/users/:id`, the Apache Node.js agent's `METHOD:path` form, with the route template as the path. */
export function routeOperationName(method: string | undefined, template: string): string {
  return `${(method ?? 'GET').toUpperCase()}:${template === '' ? '/' : template}`;
}

/**
 * Names the request's entry span after the route that handled it and gives it the framework's component id: one
 * entry span per request, taken over by the framework rather than a second span beside it.
 */
export function nameEntrySpan(
  entry: Span | undefined,
  method: string | undefined,
  template: string,
  componentId: number,
): void {
  if (entry === undefined) return;
  entry.setOperationName(routeOperationName(method, template));
  entry.setComponent(componentId);
}
