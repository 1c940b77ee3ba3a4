import { AsyncResource } from 'node:async_hooks';
import { type AmqpState } from './state.js';

type Fn = (this: unknown, ...args: unknown[]) => unknown;

/**
 * Wraps a method so that the callback it takes at `index` runs in the caller's async context. amqplib calls such
 * callbacks from its socket's data events, that is in the context the connection was opened in: without this, a
 * publish made in a confirm callback or in the callback of `assertQueue` would join whatever request happened to
 * open the connection. The callback itself still receives the same arguments and `this`.
 */
export function bindCallbackAt(state: AmqpState, index: number) {
  return (original: Fn): Fn =>
    function bound(this: unknown, ...args: unknown[]): unknown {
      const callback = args[index];
      if (state.active && typeof callback === 'function') {
        try {
          args[index] = AsyncResource.bind(callback as Fn);
        } catch (error) {
          state.fail(error);
        }
      }
      return original.apply(this, args);
    };
}
