import diagnosticsChannel from 'node:diagnostics_channel';
import { type Instrumentation, type InstrumentationContext } from '@windsock/core';
import { ErrorRecorder } from './errors.js';
import { HookGuard } from '../hooks/hook-guard.js';
import { instrumentInstance } from './hooks.js';
import {
  HANDLER_ERROR_CHANNEL,
  HANDLER_START_CHANNEL,
  type HandlerMessage,
  INITIALIZATION_CHANNEL,
  type InitializationMessage,
} from './messages.js';
import { nameFromRoute } from './naming.js';

const VERSIONS = '>=5.0.0 <6';

/**
 * Fastify 5 through the channels it publishes: no module is patched, so CommonJS and ES module apps behave alike,
 * and instances created before the agent started are still named through the handler channel.
 */
export const fastifyInstrumentation: Instrumentation = {
  name: 'fastify',
  description:
    'Fastify requests as HTTP entry endpoints named by route template (`GET:/users/:id`, `/<unmatched>` when no route matched), component HttpServer (49: OAP has no Fastify id); errors Fastify handles logged on the span',
  modules: [{ name: 'fastify', versions: VERSIONS }],
  enable(context: InstrumentationContext): () => void {
    const { tracer, diagnostics } = context;
    const guard = new HookGuard('fastify', diagnostics);
    const errors = new ErrorRecorder();
    type Listener = (message: unknown) => void;

    const onInitialization: Listener = (message) => {
      if (!guard.on) return;
      try {
        const fastify = (message as InitializationMessage | undefined)?.fastify;
        if (fastify !== undefined && typeof fastify.addHook === 'function') {
          instrumentInstance(fastify, { tracer, guard, errors, diagnostics, versions: VERSIONS });
        }
      } catch (error) {
        guard.fail(error);
      }
    };
    // An instance with our onRequest hook is already named by then; renaming to the same template is cheap, and an
    // instance created before the agent started is named only here.
    const onHandlerStart: Listener = (message) => {
      if (!guard.on) return;
      try {
        const { request, route } = message as HandlerMessage;
        if (request === undefined || route === undefined) return;
        const entry = tracer.activeEntrySpan();
        if (entry !== undefined) nameFromRoute(entry, request, route.url);
      } catch (error) {
        guard.fail(error);
      }
    };
    const onHandlerError: Listener = (message) => {
      if (!guard.on) return;
      try {
        const { reply, error } = message as HandlerMessage;
        if (reply === undefined) return;
        const entry = tracer.activeEntrySpan();
        if (entry !== undefined) errors.record(entry, reply, error);
      } catch (failure) {
        guard.fail(failure);
      }
    };

    const subscriptions: [string, Listener][] = [
      [INITIALIZATION_CHANNEL, onInitialization],
      [HANDLER_START_CHANNEL, onHandlerStart],
      [HANDLER_ERROR_CHANNEL, onHandlerError],
    ];
    for (const [name, listener] of subscriptions) diagnosticsChannel.subscribe(name, listener);
    return () => {
      guard.on = false;
      for (const [name, listener] of subscriptions) diagnosticsChannel.unsubscribe(name, listener);
    };
  },
};
