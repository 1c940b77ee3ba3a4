import diagnosticsChannel from 'node:diagnostics_channel';
import { type Span } from '@windsock/core';
import { endDbSpan, startDbSpan } from '../sql/db-span.js';
import {
  COMPONENT_ID,
  DB_TYPE,
  EXECUTE_OPERATION,
  peerOf,
  QUERY_OPERATION,
  recordGetConnectionFailure,
  type Mysql2Hooks,
} from './connection.js';
import { coreContextStore } from './context-store.js';

const kSpan = Symbol('windsock.mysql2.span');
const kCaller = Symbol('windsock.mysql2.caller');

/**
 * The message mysql2 (3.20 and later, `lib/tracing.js`) publishes on `mysql2:query`, `mysql2:execute` and
 * `mysql2:pool:connect`; `error` is set by the TracingChannel when the call fails. The symbols are ours.
 */
interface CallMessage {
  query?: unknown;
  values?: unknown;
  database?: unknown;
  serverAddress?: unknown;
  serverPort?: unknown;
  error?: unknown;
  [kSpan]?: Span;
  [kCaller]?: unknown;
}

// Node.js calls only the handlers given; its types ask for all five.
type Handlers = Partial<diagnosticsChannel.TracingChannelSubscribers<object>>;

/**
 * Subscribes to mysql2's own TracingChannels: an exit span per `query` and `execute` (start to the callback or the
 * command's end), and a failed `Mysql/getConnection` span when a pool cannot hand out a connection. With core's
 * context store found, the callbacks mysql2 calls (the application's, and a pool's hand-over of a connection to a
 * waiting caller) run in the caller's async context, as they do under the hooks for older versions. Channels
 * reach copies of mysql2 loaded before the agent too. Returns the undo.
 */
export function subscribeMysql2Channels(hooks: Mysql2Hooks): () => void {
  if (typeof diagnosticsChannel.tracingChannel !== 'function') return () => {};
  const store = coreContextStore();
  if (store === undefined) {
    hooks.context.diagnostics.info(
      'mysql2:context',
      'mysql2 callbacks keep the context mysql2 gives them: the agent context store was not found',
    );
  }
  const undos = [
    subscribe('mysql2:query', statementHandlers(hooks, QUERY_OPERATION, true)),
    subscribe('mysql2:execute', statementHandlers(hooks, EXECUTE_OPERATION, false)),
    subscribe('mysql2:pool:connect', poolConnectHandlers(hooks)),
  ];
  return () => {
    for (const undo of undos) undo();
  };

  function subscribe(name: string, handlers: Handlers): () => void {
    const channel = diagnosticsChannel.tracingChannel<unknown, object>(name);
    const all = handlers as diagnosticsChannel.TracingChannelSubscribers<object>;
    channel.subscribe(all);
    // The callback runs in the context captured at `start`; a call we did not see keeps the current one.
    const transform = (message: object): unknown =>
      kCaller in message ? (message as CallMessage)[kCaller] : store?.getStore();
    if (store !== undefined) channel.asyncStart.bindStore(store, transform);
    return () => {
      channel.unsubscribe(all);
      if (store !== undefined) channel.asyncStart.unbindStore(store);
    };
  }

  function captureCaller(message: object): void {
    if (store !== undefined) (message as CallMessage)[kCaller] = store.getStore();
  }

  function statementHandlers(
    { context, guard }: Mysql2Hooks,
    operation: string,
    interpolates: boolean,
  ): Handlers {
    return {
      start(raw) {
        if (!guard.on) return;
        const message = raw as CallMessage;
        try {
          captureCaller(message);
          const span = startDbSpan(context.tracer, context.settings, {
            operation,
            peer: peerOf(message.serverAddress, message.serverPort, portless(message)),
            componentId: COMPONENT_ID,
            dbType: DB_TYPE,
            instance: message.database,
            statement: message.query,
            parameters: message.values,
            // `query` formats its values into the text client side; `execute` sends them apart.
            interpolated: interpolates && hasValues(message.values),
          });
          if (!span.ended) message[kSpan] = span;
        } catch (error) {
          guard.fail(error);
        }
      },
      // A synchronous throw is published as an error before `end`, with no async part to follow.
      end(raw) {
        const message = raw as CallMessage;
        const span = message[kSpan];
        if (span !== undefined && message.error !== undefined) endDbSpan(span, message.error);
      },
      // The result arrived: just before the callback runs (or when the command's events settle).
      asyncStart(raw) {
        const message = raw as CallMessage;
        const span = message[kSpan];
        if (span !== undefined) endDbSpan(span, message.error);
      },
    };
  }

  function poolConnectHandlers(hooks: Mysql2Hooks): Handlers {
    return {
      start(raw) {
        if (hooks.guard.on) captureCaller(raw);
      },
      // Runs inside the bound store: a failure span here is a child of the caller's span.
      asyncStart(raw) {
        const message = raw as CallMessage;
        if (!hooks.guard.on || message.error === undefined || message.error === null) return;
        recordGetConnectionFailure(
          hooks,
          peerOf(message.serverAddress, message.serverPort, portless(message)),
          message.database,
          message.error,
        );
      },
    };
  }
}

// mysql2 reports a unix socket as the address with no port.
function portless(message: CallMessage): unknown {
  return message.serverPort === undefined ? message.serverAddress : undefined;
}

function hasValues(values: unknown): boolean {
  if (Array.isArray(values)) return values.length > 0;
  return typeof values === 'object' && values !== null;
}
