import { type InstrumentationContext, type Span } from '@windsock/core';
import semver from 'semver';
import { type ModulePatch } from '../hooks/module-hook.js';
import { wrapMethod } from '../hooks/wrap.js';
import { HookGuard } from '../hooks/hook-guard.js';
import {
  firstErrorIn,
  redisPeer,
  startCommandSpan,
  TransactionSpan,
} from '../redis-common/cache-span.js';
import { commandSpec } from '../redis-common/commands.js';

/**
 * `@redis/client`, where node-redis's commands go: 1.5 and later 1.x are node-redis 4.6+ (hooked here), 5.12 and
 * later publish diagnostics channels (subscribed in channels.ts, never hooked).
 */
export const REDIS_CLIENT_MODULE = {
  name: '@redis/client',
  versions: '>=1.5.0 <2 || >=5.12.0 <6',
} as const;

const CHANNELS_FROM = '5.12.0';

// The peer rides on node-redis's queue object, written once when its client connects and read for every command: a
// symbol is invisible to enumeration and cheaper than a WeakMap lookup per command.
const kPeer = Symbol('windsock.redis.peer');

interface Queue {
  [kPeer]?: string;
}

interface ClientOptions {
  socket?: { host?: unknown; port?: unknown; path?: unknown };
}

interface QueueOptions {
  asap?: unknown;
  chainId?: unknown;
}

/**
 * Hooks node-redis 4 (`@redis/client` 1.x). Its generated command methods capture the executor when the module
 * loads and funnel into a private `#sendCommand`, so the one public place every command passes, in the caller's
 * context, is `RedisCommandsQueue#addCommand`. The queue does not know its server: `RedisClient#connect` (which
 * every client calls before its first command) reads the client's `isPubSubActive`, a getter that reads the queue's
 * own, and the wrapped queue getter pairs the queue with the client's address.
 */
export function redisV4Patches(context: InstrumentationContext): ModulePatch[] {
  const guard = new HookGuard('redis', context.diagnostics);
  let probing: string | undefined;

  const patchQueue = (exports: unknown, version: string): (() => void) => {
    if (semver.gte(version, CHANNELS_FROM)) return noop;
    const Queue = (exports as { default?: { prototype?: object } }).default;
    const proto = Queue?.prototype;
    if (typeof proto !== 'object') throw new Error('RedisCommandsQueue not found');

    const undoAdd = wrapMethod(
      proto,
      'addCommand',
      (original) =>
        function (this: unknown, ...args: unknown[]) {
          const queue = this as Queue;
          const redisArgs = args[0];
          const options = args[1] as QueueOptions | undefined;
          let span: Span | undefined;
          // `asap` marks the client's own connection setup (SELECT, AUTH, CLIENT SETINFO); `chainId` the commands
          // of a MULTI, recorded as one span by the multiExecutor hook.
          if (
            guard.on &&
            Array.isArray(redisArgs) &&
            options?.asap !== true &&
            options?.chainId === undefined
          ) {
            try {
              const name = commandName(redisArgs[0]);
              if (name !== undefined)
                span = startCommandSpan(
                  context,
                  commandSpec(name),
                  queue[kPeer] ?? '',
                  redisArgs as unknown[],
                  1,
                );
            } catch (error) {
              guard.fail(error);
            }
          }
          if (span === undefined) return original.apply(this, args);
          let returned = false;
          let promise: unknown;
          try {
            promise = original.apply(this, args);
            returned = true;
          } finally {
            if (!returned) span.end();
          }
          return settleInto(promise, span);
        },
    );

    const undoGetter = wrapGetter(
      proto,
      'isPubSubActive',
      (get) =>
        function (this: object) {
          if (probing !== undefined) (this as Queue)[kPeer] = probing;
          return get.call(this);
        },
    );
    return () => {
      undoGetter();
      undoAdd();
    };
  };

  const patchClient = (exports: unknown, version: string): (() => void) => {
    if (semver.gte(version, CHANNELS_FROM)) return noop;
    const Client = (exports as { default?: { prototype?: object } }).default;
    const proto = Client?.prototype;
    if (typeof proto !== 'object') throw new Error('RedisClient not found');

    const undoConnect = wrapMethod(
      proto,
      'connect',
      (original) =>
        function (this: unknown, ...args: unknown[]) {
          if (guard.on) {
            try {
              const client = this as { options?: ClientOptions; isPubSubActive?: unknown };
              probing = peerOf(client.options);
              void client.isPubSubActive;
            } catch (error) {
              guard.fail(error);
            } finally {
              probing = undefined;
            }
          }
          return original.apply(this, args);
        },
    );

    const undoMulti = wrapMethod(
      proto,
      'multiExecutor',
      (original) =>
        function (this: unknown, ...args: unknown[]) {
          // Without a chain id the "multi" is `execAsPipeline()`: its commands are recorded one by one.
          const commands = args[0];
          if (!guard.on || args[2] === undefined || !Array.isArray(commands)) {
            return original.apply(this, args);
          }
          let transaction: TransactionSpan | undefined;
          try {
            transaction = TransactionSpan.start(
              context,
              peerOf((this as { options?: ClientOptions }).options),
            );
            for (const command of commands as { args?: unknown }[]) {
              const redisArgs = command?.args;
              const name = Array.isArray(redisArgs) ? commandName(redisArgs[0]) : undefined;
              if (name !== undefined) transaction.add(name, redisArgs as unknown[], 1);
            }
          } catch (error) {
            guard.fail(error);
          }
          if (transaction === undefined) return original.apply(this, args);
          let returned = false;
          let promise: unknown;
          try {
            promise = original.apply(this, args);
            returned = true;
          } finally {
            if (!returned) transaction.end();
          }
          observeTransaction(promise, transaction);
          return promise;
        },
    );
    return () => {
      undoMulti();
      undoConnect();
    };
  };

  return [
    { module: REDIS_CLIENT_MODULE, file: 'dist/lib/client/commands-queue.js', patch: patchQueue },
    { module: REDIS_CLIENT_MODULE, file: 'dist/lib/client/index.js', patch: patchClient },
  ];
}

function commandName(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return Buffer.from(value).toString('latin1');
  return undefined;
}

function peerOf(options: ClientOptions | undefined): string {
  const socket = options?.socket;
  return redisPeer(socket?.host, socket?.port, socket?.path);
}

/**
 * A promise that settles as the queue's does, one step later, with the span ended first. The client awaits the
 * queue's promise, and `client.sendCommand()` returns it to the application: handing on an equivalent promise,
 * rejection rethrown, keeps an unhandled rejection unhandled, where observing the original would mark it handled.
 */
function settleInto(promise: unknown, span: Span): unknown {
  if (!(promise instanceof Promise)) {
    span.end();
    return promise;
  }
  return promise.then(
    (value: unknown) => {
      span.end();
      return value;
    },
    (error: unknown) => {
      span.error(error);
      span.end();
      throw error;
    },
  );
}

/**
 * Ends the transaction's span when `multiExecutor` settles. Its promise only ever goes to the client's own `await`
 * (RedisClientMultiCommand#exec), so observing it changes nothing the application sees. A null EXEC reply is a
 * transaction a WATCHed key aborted, which node-redis throws as a WatchError.
 */
function observeTransaction(promise: unknown, transaction: TransactionSpan): void {
  if (!(promise instanceof Promise)) {
    transaction.end();
    return;
  }
  promise.then(
    (replies: unknown) => {
      const exec = Array.isArray(replies) ? (replies[replies.length - 1] as unknown) : undefined;
      if (exec === null)
        transaction.error('transaction aborted: a watched key changed (EXEC returned nil)');
      else {
        const failed = firstErrorIn(exec);
        if (failed !== undefined) transaction.error(failed);
      }
      transaction.end();
    },
    (error: unknown) => {
      transaction.error(error);
      transaction.end();
    },
  );
}

/** Wraps a getter on a prototype; the undo restores it while ours is still in place. */
function wrapGetter(
  target: object,
  key: string,
  makeGetter: (get: (this: object) => unknown) => (this: object) => unknown,
): () => void {
  const descriptor = Object.getOwnPropertyDescriptor(target, key);
  // The getter is taken off its descriptor on purpose: the wrapper calls it with the instance as `this`.
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const get = descriptor?.get;
  if (descriptor === undefined || get === undefined || descriptor.configurable !== true)
    return noop;
  const wrapped = makeGetter(get);
  Object.defineProperty(target, key, { ...descriptor, get: wrapped });
  return () => {
    if (Object.getOwnPropertyDescriptor(target, key)?.get === wrapped) {
      Object.defineProperty(target, key, descriptor);
    }
  };
}

function noop(): void {}
