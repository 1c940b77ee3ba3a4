import { type InstrumentationContext } from '@windsock/core';
import { SpanLayer } from '@windsock/protocol';
import { wrapMethod } from '../hooks/wrap.js';
import { GRPC_COMPONENT_ID } from './component.js';
import { routeEvents } from './events.js';
import { metadataSource } from './metadata.js';
import { isSkyWalkingMethod } from './own-calls.js';
import { CallSpan, CANCELLED, codeOf, DEADLINE_EXCEEDED } from './status.js';

type AnyFunction = (this: unknown, ...args: unknown[]) => unknown;

export interface GrpcServerExports {
  Server: { prototype: object };
}

/** The part of the call object a grpc-js handler receives that is read here. */
interface ServerCallLike {
  metadata?: unknown;
  getDeadline?(): unknown;
  /** grpc-js's intercepting call under the app's call object: every status the server sends goes through it. */
  call?: { sendStatus?: unknown };
}

/**
 * Wraps `Server.prototype.register`, through which `addService` (and an app calling it directly) installs each
 * method's handler: every call gets an entry span continuing the caller's `sw8`, active while the handler and the
 * call's event listeners run. Returns the undo; handlers registered meanwhile stop tracing once it ran.
 */
export function patchServer(
  grpc: GrpcServerExports,
  context: InstrumentationContext,
  state: { enabled: boolean },
): () => void {
  const { tracer } = context;

  const start = (path: string, call: ServerCallLike): CallSpan | undefined => {
    if (!state.enabled || typeof call !== 'object' || call === null) return undefined;
    // `root`: a call belongs to its caller's trace or a new one, never to the context its connection was opened in.
    const span = tracer.startEntrySpan(path, {
      headers: metadataSource(call.metadata),
      root: true,
      layer: SpanLayer.RPCFramework,
      componentId: GRPC_COMPONENT_ID,
    });
    if (span.ended) return undefined;
    const traced = new CallSpan(span);
    watchStatus(call, traced);
    routeEvents(
      call,
      (event, arg) => {
        if (event === 'error') traced.rememberError(arg);
        // grpc-js also emits `cancelled` after every status it sent: only one before any status is a cancellation.
        else if (event === 'cancelled' && !traced.done) {
          traced.finish(cancelCode(call), 'the call was cancelled');
        }
      },
      (fn, thisArg, args) => tracer.withSpan(span, () => fn.apply(thisArg, args)),
    );
    return traced;
  };

  const traceHandler = (path: string, handler: AnyFunction): AnyFunction =>
    function tracedHandler(this: unknown, ...args: unknown[]): unknown {
      let traced: CallSpan | undefined;
      try {
        traced = start(path, args[0] as ServerCallLike);
        const respond = args[1];
        if (traced !== undefined && typeof respond === 'function') {
          args[1] = rememberingErrors(respond as AnyFunction, traced);
        }
      } catch (error) {
        state.enabled = false;
        context.diagnostics.warn(
          'grpc-js:server',
          `grpc-js server instrumentation failed and turned itself off: ${String(error)}`,
        );
      }
      if (traced === undefined) return handler.apply(this, args);
      const span = traced.span;
      try {
        return tracer.withSpan(span, () => handler.apply(this, args));
      } catch (error) {
        // grpc-js answers a throwing handler with UNKNOWN; the span keeps the error itself, rethrown as it came.
        traced.rememberError(error);
        throw error;
      }
    };

  return wrapMethod(
    grpc.Server.prototype,
    'register',
    (register) =>
      function (this: unknown, ...args: unknown[]): unknown {
        const [path, handler] = args;
        if (
          state.enabled &&
          typeof path === 'string' &&
          typeof handler === 'function' &&
          !isSkyWalkingMethod(path)
        ) {
          args[1] = traceHandler(path, handler as AnyFunction);
        }
        return register.apply(this, args);
      },
  );
}

/** Finishes the span with the status the server sends, whichever way it is sent (callback, `end()`, error, throw). */
function watchStatus(call: ServerCallLike, traced: CallSpan): void {
  const inner = call.call;
  const sendStatus = inner?.sendStatus;
  if (inner === undefined || typeof sendStatus !== 'function') return;
  Object.defineProperty(inner, 'sendStatus', {
    configurable: true,
    enumerable: false,
    writable: true,
    value: function (this: unknown, ...args: unknown[]): unknown {
      try {
        const status = args[0] as { code?: unknown; details?: unknown } | undefined;
        traced.finish(codeOf(status), status?.details);
      } catch {
        // Agent work only; the status is sent regardless.
      }
      return (sendStatus as AnyFunction).apply(this, args);
    },
  });
}

/** The server's callback, which also keeps the error the handler answers with for the span's log. */
function rememberingErrors(respond: AnyFunction, traced: CallSpan): AnyFunction {
  return function (this: unknown, ...args: unknown[]): unknown {
    if (args[0] !== null && args[0] !== undefined) traced.rememberError(args[0]);
    return respond.apply(this, args);
  };
}

/**
 * A client whose deadline runs out resets the stream, which the server sees as a cancellation arriving about when
 * its own copy of the deadline (sent as `grpc-timeout`, started on receipt) runs out: a cancellation that close to the
 * deadline is counted as DEADLINE_EXCEEDED, as the client records it.
 */
const DEADLINE_SLACK_MS = 100;

function cancelCode(call: ServerCallLike): number {
  try {
    const deadline = call.getDeadline?.();
    const ms = deadline instanceof Date ? deadline.getTime() : Number(deadline);
    return Number.isFinite(ms) && ms - DEADLINE_SLACK_MS <= Date.now()
      ? DEADLINE_EXCEEDED
      : CANCELLED;
  } catch {
    return CANCELLED;
  }
}
