import { AsyncResource } from 'node:async_hooks';
import { type InstrumentationContext } from '@windsock/core';
import { hookModules, type ModulePatch } from '../hooks/module-hook.js';
import { wrapMethod } from '../hooks/wrap.js';
import { bindCallbackAt } from './context.js';
import { recordGet, settle, wrapHandler } from './consumer.js';
import { peerFromUrl, rememberPeer } from './peer.js';
import { wrapPublish, wrapSendMessage } from './producer.js';
import { AmqpState } from './state.js';

export const AMQPLIB_MODULE = { name: 'amqplib', versions: '>=0.10.0 <0.11.0' } as const;

type Fn = (this: unknown, ...args: unknown[]) => unknown;
type Prototype = Record<string, unknown>;

/**
 * Patches amqplib's internal files, which are reached through `require` whether the application requires or imports
 * `amqplib` or `amqplib/callback_api`: the connection's peer (`lib/connect.js`); the message headers, channel
 * closing and the messages `get` returns (`lib/channel.js`); publish, consume and acknowledgements in both channel
 * models (`lib/channel_model.js` for promises, `lib/callback_model.js` for callbacks).
 */
export function patchAmqplib(context: InstrumentationContext): () => void {
  const state = new AmqpState(context);
  const patches: ModulePatch[] = [
    {
      module: AMQPLIB_MODULE,
      file: 'lib/connect.js',
      patch: (exports) => patchConnect(state, exports),
    },
    {
      module: AMQPLIB_MODULE,
      file: 'lib/channel.js',
      patch: (exports) => patchChannel(state, exports),
    },
    {
      module: AMQPLIB_MODULE,
      file: 'lib/channel_model.js',
      patch: (exports) => patchModel(state, exports, false),
    },
    {
      module: AMQPLIB_MODULE,
      file: 'lib/callback_model.js',
      patch: (exports) => patchModel(state, exports, true),
    },
  ];
  const unhook = hookModules('amqplib', context, patches);
  return () => {
    state.active = false;
    unhook();
  };
}

function prototypeOf(exports: unknown, name: string): Prototype {
  const constructor = (exports as Record<string, unknown> | null)?.[name];
  const prototype = (constructor as { prototype?: unknown } | undefined)?.prototype;
  if (typeof prototype !== 'object' || prototype === null) {
    throw new Error(`amqplib no longer exports ${name}`);
  }
  return prototype as Prototype;
}

function undoAll(undos: (() => void)[]): () => void {
  return () => {
    for (const undo of undos.reverse()) undo();
  };
}

/** Remembers the `host:port` each connection was opened with, for the spans of its channels. */
function patchConnect(state: AmqpState, exports: unknown): () => void {
  return wrapMethod(
    exports as object,
    'connect',
    (original) =>
      function connect(this: unknown, ...args: unknown[]): unknown {
        const opened = args[2];
        if (!state.active || typeof opened !== 'function') return original.apply(this, args);
        let peer: string | undefined;
        try {
          peer = peerFromUrl(args[0]);
        } catch {
          // A URL the WHATWG parser refuses: amqplib says what it thinks of it; the socket's address will do.
        }
        if (peer === undefined) return original.apply(this, args);
        const known = peer;
        args[2] = function onOpen(this: unknown, ...result: unknown[]): unknown {
          const connection = result[1];
          if (typeof connection === 'object' && connection !== null)
            rememberPeer(connection, known);
          return (opened as Fn).apply(this, result);
        };
        return original.apply(this, args);
      },
  );
}

function patchChannel(state: AmqpState, exports: unknown): () => void {
  const channel = prototypeOf(exports, 'Channel');
  return undoAll([
    wrapMethod(channel, 'sendMessage', wrapSendMessage(state)),
    // Every way a channel ends (closed by the application, the broker, or with its connection) goes through here.
    wrapMethod(
      channel,
      'toClosed',
      (original) =>
        function toClosed(this: unknown, ...args: unknown[]): unknown {
          if (state.active) {
            try {
              settle(this, 'all', false, 'channel closed before the message was acknowledged');
            } catch (error) {
              state.fail(error);
            }
          }
          return original.apply(this, args);
        },
    ),
    // Both models' `get` hand the message's frames to `acceptMessage`, and nothing else takes it from the exports.
    wrapMethod(
      exports as object,
      'acceptMessage',
      (original) =>
        function acceptMessage(this: unknown, ...args: unknown[]): unknown {
          const continuation = args[0];
          if (!state.active || typeof continuation !== 'function')
            return original.apply(this, args);
          const arrival: { channel?: unknown } = {};
          const first = original.call(this, function onMessage(this: unknown, message: unknown) {
            try {
              return (continuation as Fn).call(this, message);
            } finally {
              // After the continuation, which set the message's fields; the span marks the arrival only.
              recordGet(state, arrival.channel, message);
            }
          });
          if (typeof first !== 'function') return first;
          // The channel calls its frame handler as a method: the first frame tells which channel this is.
          return function onFrame(this: unknown, ...frame: unknown[]): unknown {
            arrival.channel = this;
            return (first as Fn).apply(this, frame);
          };
        },
    ),
  ]);
}

function patchModel(state: AmqpState, exports: unknown, callbacks: boolean): () => void {
  const channel = prototypeOf(exports, 'Channel');
  const confirm = prototypeOf(exports, 'ConfirmChannel');
  const undos = [
    wrapMethod(channel, 'publish', wrapPublish(state)),
    wrapMethod(
      channel,
      'consume',
      (original) =>
        function consume(this: unknown, ...args: unknown[]): unknown {
          const handler = args[1];
          if (state.active && typeof this === 'object' && this !== null) {
            try {
              const options = args[2] as { noAck?: unknown } | null | undefined;
              if (typeof handler === 'function') {
                args[1] = wrapHandler(state, this, handler as Fn, Boolean(options?.noAck));
              }
              // The callback API's fourth argument is told when the broker confirmed the consumer.
              if (callbacks && typeof args[3] === 'function') {
                args[3] = AsyncResource.bind(args[3] as Fn);
              }
            } catch (error) {
              state.fail(error);
            }
          }
          return original.apply(this, args);
        },
    ),
    wrapMethod(channel, 'ack', settling(state, 'ack')),
    wrapMethod(channel, 'nack', settling(state, 'nack')),
    wrapMethod(channel, 'reject', settling(state, 'reject')),
    wrapMethod(channel, 'ackAll', settling(state, 'ackAll')),
    wrapMethod(channel, 'nackAll', settling(state, 'nackAll')),
    wrapMethod(channel, 'recover', settling(state, 'recover')),
    // The confirm callback runs when the broker's ack arrives; `sendToQueue` calls `publish`.
    wrapMethod(confirm, 'publish', bindCallbackAt(state, 4)),
  ];
  if (callbacks) {
    // `rpc` carries the callbacks of the declare, bind, delete, purge, prefetch and recover methods and of
    // `open`; the others reach the broker without it.
    for (const [method, index] of CALLBACK_METHODS) {
      undos.push(wrapMethod(channel, method, bindCallbackAt(state, index)));
    }
    const model = prototypeOf(exports, 'CallbackModel');
    undos.push(wrapMethod(model, 'close', bindCallbackAt(state, 0)));
    undos.push(wrapMethod(model, 'updateSecret', bindCallbackAt(state, 2)));
  }
  return undoAll(undos);
}

const CALLBACK_METHODS: readonly (readonly [string, number])[] = [
  ['rpc', 3],
  ['assertExchange', 3],
  ['cancel', 1],
  ['get', 2],
  ['close', 0],
];

type Settlement = 'ack' | 'nack' | 'reject' | 'ackAll' | 'nackAll' | 'recover';

/** Wraps an acknowledgement method: the deliveries it settles end their spans (see `settle`), then the call runs. */
function settling(state: AmqpState, kind: Settlement) {
  return (original: Fn): Fn =>
    function acknowledge(this: unknown, ...args: unknown[]): unknown {
      if (state.active) {
        try {
          settleFor(this, kind, args);
        } catch (error) {
          state.fail(error);
        }
      }
      return original.apply(this, args);
    };
}

function settleFor(channel: unknown, kind: Settlement, args: unknown[]): void {
  switch (kind) {
    case 'ackAll':
      return settle(channel, 'all', false, undefined);
    case 'nackAll':
      return settle(channel, 'all', false, failure('nack', args[0]));
    case 'recover':
      return settle(channel, 'all', false, 'recovered before the message was acknowledged');
    default: {
      const tag = (args[0] as { fields?: { deliveryTag?: unknown } } | null | undefined)?.fields
        ?.deliveryTag;
      if (typeof tag !== 'number') return;
      const upTo = kind !== 'reject' && Boolean(args[1]);
      const requeue = kind === 'reject' ? args[1] : args[2];
      settle(channel, tag, !upTo, kind === 'ack' ? undefined : failure(kind, requeue));
    }
  }
}

/** amqplib requeues when `requeue` is left out, else as it says. */
function failure(kind: 'nack' | 'reject', requeue: unknown): string {
  const requeued = requeue === undefined || Boolean(requeue);
  return `${kind}: message ${requeued ? 'requeued' : 'dropped or dead-lettered'}`;
}
