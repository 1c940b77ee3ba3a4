import { createHook } from 'node:async_hooks';
import { ClientRequest } from 'node:http';
import { type ChannelSubscriptions } from './channels.js';

/**
 * Calls `listener` for each `http`/`https` client request while its headers can still be set, in the async
 * context of the code that created it. This is the one moment a `sw8` header can be added.
 *
 * Node >= 22.12 / 23.2 publishes `http.client.request.created` from the ClientRequest constructor. Node 20 has no
 * such channel: its `http.client.request.start` is published from `_finish`, after the headers were written, so
 * it is too late to inject. On Node 20 we instead observe, through a public `async_hooks` init hook, the
 * `process.nextTick(onSocketNT, request)` the constructor schedules when it hands the request to its agent, which
 * happens before `http.get` (or user code) can call `end()`. No module or prototype is modified. A request
 * queued behind an agent's `maxSockets` is only seen once a socket frees up; by then its headers are usually
 * sent, and it is left untraced (counted as `propagationSkipped`).
 */
export function observeClientRequestCreated(
  subscriptions: ChannelSubscriptions,
  listener: (request: ClientRequest) => void,
): () => void {
  if (hasCreatedChannel(process.versions.node)) {
    subscriptions.subscribe('http.client.request.created', (message) => {
      listener((message as { request: ClientRequest }).request);
    });
    return () => {};
  }
  const hook = createHook({
    init(_asyncId, type, _triggerAsyncId, resource) {
      if (type !== 'TickObject') return;
      // An exception thrown from an async_hooks callback terminates the process: nothing may escape.
      try {
        const tick = resource as { callback?: { name?: string }; args?: unknown[] };
        const request = tick.args?.[0];
        if (request instanceof ClientRequest && tick.callback?.name === 'onSocketNT')
          listener(request);
      } catch {
        // Ignored: see above.
      }
    },
  });
  hook.enable();
  return () => {
    hook.disable();
  };
}

/** Whether this Node.js publishes `http.client.request.created` (added in 23.2.0 and 22.12.0). */
export function hasCreatedChannel(version: string): boolean {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return major > 23 || (major === 23 && minor >= 2) || (major === 22 && minor >= 12);
}
