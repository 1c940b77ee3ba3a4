import { AsyncResource } from 'node:async_hooks';
import { type InstrumentationContext } from '@windsock/core';
import { ComponentId, SpanLayer } from '@windsock/protocol';
import { wrapMethod } from '../hooks/wrap.js';
import { InstanceHooks } from './instance-hooks.js';
import { PendingHeaders } from './metadata.js';
import { isSkyWalkingMethod } from './own-calls.js';
import { peerOfTarget } from './peer.js';
import { CallSpan, codeOf } from './status.js';

type AnyFunction = (this: unknown, ...args: unknown[]) => unknown;

/** The part of a grpc-js channel read here. */
interface ChannelLike {
  getTarget(): string;
}

/** grpc-js's `InterceptingListener`: how the channel's call reports back to the client's call object. */
interface Listener {
  // Function-typed properties: the methods are called with the listener as `this` by `runInAsyncScope`.
  onReceiveMetadata: (metadata: unknown) => void;
  onReceiveMessage: (message: unknown) => void;
  onReceiveStatus: (status: unknown) => void;
}

export interface GrpcChannelExports {
  Channel: { prototype: object };
}

/** A traced client call, kept for the call object `Channel#createCall` returned. */
interface TracedCall {
  readonly traced: CallSpan;
  readonly headers: PendingHeaders;
  /** The caller's context, in which the app's callback, stream events and write callbacks run. */
  readonly caller: AsyncResource;
}

/** `start(metadata, listener)`: `sw8` into a copy of the metadata, the listener bound to the caller's context. */
function startCall(
  original: AnyFunction,
  call: TracedCall,
  self: object,
  args: unknown[],
): unknown {
  try {
    const metadata = call.headers.applyTo(args[0]);
    const listener = args[1] as Listener | undefined | null;
    if (listener !== undefined && listener !== null) {
      args[1] = new BoundListener(listener, call.traced, call.caller);
    }
    args[0] = metadata;
  } catch {
    // The call starts as the app made it; its span then ends with nothing more recorded.
  }
  return original.apply(self, args);
}

/** `sendMessageWithContext(context, message)`: the write callback runs in the caller's context. */
function sendMessage(
  original: AnyFunction,
  call: TracedCall,
  self: object,
  args: unknown[],
): unknown {
  const messageContext = args[0] as { callback?: unknown } | undefined;
  const written = messageContext?.callback;
  if (typeof written === 'function') {
    // A closure rather than `AsyncResource#bind`, which defines deprecated accessors on every bound function.
    args[0] = {
      ...messageContext,
      callback(this: unknown, ...results: unknown[]) {
        return call.caller.runInAsyncScope(written as AnyFunction, this, ...results);
      },
    };
  }
  return original.apply(self, args);
}

/**
 * Wraps `Channel.prototype.createCall`, through which every client call passes whatever started it: generated stubs
 * (which captured `Client.prototype.make*Request` when grpc-js loaded, so wrapping those would miss them), direct
 * `make*Request` calls and custom interceptors. The exit span opens there, in the caller's context; `sw8` is added
 * when the call starts and the span ends with the status it receives. Returns the undo.
 */
export function patchClient(
  grpc: GrpcChannelExports,
  context: InstrumentationContext,
  state: { enabled: boolean },
): () => void {
  const { tracer } = context;
  const peers = new WeakMap<object, string>();
  const calls = new InstanceHooks<TracedCall>({
    start: startCall,
    sendMessageWithContext: sendMessage,
  });

  const peerOf = (channel: ChannelLike): string => {
    let peer = peers.get(channel);
    if (peer === undefined) {
      peer = peerOfTarget(channel.getTarget());
      peers.set(channel, peer);
    }
    return peer;
  };

  const trace = (channel: ChannelLike, method: unknown, call: unknown): void => {
    if (!state.enabled || typeof method !== 'string' || isSkyWalkingMethod(method)) return;
    if (typeof call !== 'object' || call === null) return;
    const headers = new PendingHeaders();
    const span = tracer.startExitSpan(method, peerOf(channel), {
      headers,
      layer: SpanLayer.RPCFramework,
      componentId: ComponentId.GRPC,
    });
    // An ended span is the tracer's no-op: tracing is suppressed here, nothing is recorded or propagated.
    if (span.ended) return;
    calls.attach(call, {
      traced: new CallSpan(span),
      headers,
      caller: new AsyncResource('windsock.grpc-js.call'),
    });
  };

  const undo = wrapMethod(
    grpc.Channel.prototype,
    'createCall',
    (original) =>
      function (this: unknown, ...args: unknown[]): unknown {
        // Called first and outside any try: a call grpc-js refuses throws to the app as it did without the agent.
        const call = original.apply(this, args);
        try {
          trace(this as ChannelLike, args[0], call);
        } catch (error) {
          state.enabled = false;
          context.diagnostics.warn(
            'grpc-js:client',
            `grpc-js client instrumentation failed and turned itself off: ${String(error)}`,
          );
        }
        return call;
      },
  );
  return () => {
    undo();
    calls.undo();
  };
}

/**
 * Forwards the channel call's reports to the client's call object in the caller's context: grpc-js delivers them
 * from its HTTP/2 stream, whose context is wherever the connection or stream was opened (often another request).
 */
class BoundListener implements Listener {
  constructor(
    private readonly listener: Listener,
    private readonly traced: CallSpan,
    private readonly caller: AsyncResource,
  ) {}

  onReceiveMetadata(metadata: unknown): void {
    this.caller.runInAsyncScope(this.listener.onReceiveMetadata, this.listener, metadata);
  }

  onReceiveMessage(message: unknown): void {
    this.caller.runInAsyncScope(this.listener.onReceiveMessage, this.listener, message);
  }

  onReceiveStatus(status: unknown): void {
    try {
      const { code, details } = (status ?? {}) as { code?: unknown; details?: unknown };
      this.traced.finish(codeOf({ code }), details);
    } catch {
      // Agent work only; the status reaches the app regardless.
    }
    this.caller.runInAsyncScope(this.listener.onReceiveStatus, this.listener, status);
  }
}
