import { type Span } from '@windsock/core';

// The errors already logged, by request; only requests that had an error get an entry.
const logged = new WeakMap<object, unknown[]>();

/**
 * An error passed to `next` (or thrown, or a rejected promise, which the router passes to `next`) marks the entry
 * span as failed and is logged on it once, however many layers see it. `'route'` and `'router'` are routing
 * signals, not errors.
 */
export function logError(entry: Span, req: unknown, err: unknown): void {
  if (err === undefined || err === null || err === false || err === 'route' || err === 'router')
    return;
  if (typeof req === 'object' && req !== null) {
    const seen = logged.get(req);
    if (seen === undefined) logged.set(req, [err]);
    else if (seen.includes(err)) return;
    else seen.push(err);
  }
  entry.error(err);
}
