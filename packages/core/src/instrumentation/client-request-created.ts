import { createHook } from 'node:async_hooks';
import { ClientRequest } from 'node:http';
import { type ChannelSubscriptions } from './channels.js';

/**
 * Calls `listener` for each `http`/`https` client request while its headers can still be set, in the async
 * context of the code that created it. This is the one moment a `sw8` header can be added. The listener must
 * tolerate being called twice for one request (it is, by `HttpClientInstrumentation`'s `seen` set).
 *
 * Node >= 22.12 / 23.2 publishes `http.client.request.created` from the ClientRequest constructor. Node 20 has no
 * such channel: its `http.client.request.start` is published from `_finish`, after the headers were written, so
 * it is too late to inject. There we observe, through a public `async_hooks` init hook, the
 * `process.nextTick(onSocketNT, request)` the constructor schedules when it hands the request to its agent, which
 * happens before `http.get` (or user code) can call `end()`. No module or prototype is modified.
 *
 * Both are installed; the first message on the public channel proves this Node has it, and the hook is removed.
 * Feature detection by behaviour rather than by version number, so a backport is picked up as it is.
 */
export function observeClientRequestCreated(
  subscriptions: ChannelSubscriptions,
  listener: (request: ClientRequest) => void,
): () => void {
  // The hook sees every async resource the process creates (promises included), so the common case, anything
  // but the one tick, must cost as little as possible: after the first match, Node's `onSocketNT` is known and
  // recognised by identity instead of by reading the `name` of every tick's callback (a megamorphic load).
  let onSocketNT: unknown;
  const hook = createHook({
    init(_asyncId, type, _triggerAsyncId, resource) {
      if (type !== 'TickObject') return;
      // An exception thrown from an async_hooks callback terminates the process: nothing may escape.
      try {
        const tick = resource as { callback?: { name?: string }; args?: unknown[] };
        const callback = tick.callback;
        if (onSocketNT === undefined) {
          if (callback?.name !== 'onSocketNT') return;
        } else if (callback !== onSocketNT) {
          return;
        }
        const request = tick.args?.[0];
        if (!(request instanceof ClientRequest)) return;
        onSocketNT = callback;
        listener(request);
      } catch {
        // Ignored: see above.
      }
    },
  });
  let hookEnabled = true;
  const stopHook = () => {
    if (hookEnabled) hook.disable();
    hookEnabled = false;
  };
  subscriptions.subscribe('http.client.request.created', (message) => {
    stopHook();
    listener((message as { request: ClientRequest }).request);
  });
  hook.enable();
  return stopHook;
}
