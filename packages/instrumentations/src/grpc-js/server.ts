import { type InstrumentationContext, type Span, type Tracer } from '@windsock/core';
import { ComponentId, SpanLayer } from '@windsock/protocol';
import { wrapMethod } from '../hooks/wrap.js';
import { type Around, InstanceHooks } from './instance-hooks.js';
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
  call?: unknown;
}

/** A traced served call, kept for the app's call object and for grpc-js's intercepting call under it. */
interface ServedCall {
  readonly traced: CallSpan;
  readonly span: Span;
  readonly tracer: Tracer;
  readonly call: ServerCallLike;
}

/** `sendStatus(status)` on the intercepting call: the span ends with the status, however the handler produced it. */
const sendStatus: Around<ServedCall> = (original, served, self, args) => {
  try {
    const status = args[0] as { code?: unknown; details?: unknown } | undefined;
    served.traced.finish(codeOf(status), status?.details);
  } catch {
    // Agent work only; the status is sent regardless.
  }
  return original.apply(self, args);
};

/**
 * `emit(event, ...)` on the app's call object: listeners (`data`, `end`, `cancelled`, ...) run under the entry span,
 * not in the context of the connection that delivered the event; `error` and `cancelled` are noted first.
 */
const emit: Around<ServedCall> = (original, served, self, args) => {
  try {
    const [event, arg] = args;
    if (event === 'error') served.traced.rememberError(arg);
    // grpc-js also emits `cancelled` after every status it sent: only one before any status is a cancellation.
    else if (event === 'cancelled' && !served.traced.done) {
      served.traced.finish(cancelCode(served.call), 'the call was cancelled');
    }
  } catch {
    // Agent work only; the event goes on regardless.
  }
  return served.tracer.withSpan(served.span, () => original.apply(self, args));
};

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
  const appCalls = new InstanceHooks<ServedCall>({ emit });
  const innerCalls = new InstanceHooks<ServedCall>({ sendStatus });

  const start = (path: string, call: ServerCallLike): CallSpan | undefined => {
    if (!state.enabled || typeof call !== 'object' || call === null) return undefined;
    // `root`: a call belongs to its caller's trace or a new one, never to the context its connection was opened in.
    const span = tracer.startEntrySpan(path, {
      headers: metadataSource(call.metadata),
      root: true,
      layer: SpanLayer.RPCFramework,
      componentId: ComponentId.GRPC,
    });
    if (span.ended) return undefined;
    const served: ServedCall = { traced: new CallSpan(span), span, tracer, call };
    appCalls.attach(call, served);
    const inner = call.call;
    if (typeof inner === 'object' && inner !== null) innerCalls.attach(inner, served);
    return served.traced;
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

  const undo = wrapMethod(
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
  return () => {
    undo();
    appCalls.undo();
    innerCalls.undo();
  };
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
