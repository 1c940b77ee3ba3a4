import { AsyncResource } from 'node:async_hooks';
import { type InstrumentationContext, type Span } from '@windsock/core';
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

export const IOREDIS_MODULE = { name: 'ioredis', versions: '>=5.0.0 <6' } as const;

// Marks on ioredis's own objects (symbols: invisible to the application's enumeration and JSON). A command passes
// sendCommand again when the offline queue is flushed or it is resent after a reconnect, so the first pass marks it;
// a pipelined command carries the context it was queued in; a client keeps the peer string built for its options.
const kSeen = Symbol('windsock.redis.seen');
const kCaller = Symbol('windsock.redis.caller');
const kPeer = Symbol('windsock.redis.peer');

/** The parts of ioredis's `Command` this instrumentation reads, wraps or marks. */
interface Command {
  name: unknown;
  args: unknown;
  inTransaction?: unknown;
  resolve: unknown;
  reject: unknown;
  [kSeen]?: true;
  [kCaller]?: Caller;
}

interface ClientOptions {
  host?: unknown;
  port?: unknown;
  path?: unknown;
}

/** The parts of an ioredis client (`Redis`) it reads or marks. */
interface Client {
  status?: unknown;
  options?: ClientOptions;
  [kPeer]?: { options: ClientOptions | undefined; host: unknown; port: unknown; peer: string };
}

// Commands ioredis sends itself while a connection is being set up (AUTH, SELECT, CLIENT SETINFO and the INFO of its
// ready check): connection chores, not the application's calls, so not recorded. CLIENT SETNAME comes once the
// connection is ready in some versions, so it is left out whenever it comes.
const HANDSHAKE = new Set(['auth', 'hello', 'select', 'client', 'readonly', 'info']);
const CLIENT_CHORES = new Set(['setname', 'setinfo', 'SETNAME', 'SETINFO']);

/**
 * The context a pipelined command was queued in: its caller's active span, or, when the caller had none (a job
 * outside any request, or a suppressed context), an AsyncResource holding that context, since re-entering "no span"
 * is not something the active span alone can express. The resource is destroyed by hand once used:
 * `AsyncResource.bind` would register a garbage-collection hook per command, far slower on Node 20.
 */
type Caller = Span | AsyncResource;

/**
 * Hooks ioredis where every command passes: `Redis#sendCommand` (direct calls, the offline queue, pipelines,
 * auto-pipelining and MULTI all end there) and `Pipeline#sendCommand` (where a pipelined or auto-pipelined command
 * is handed over by the caller, so its span can later start in the caller's context).
 */
export function ioredisPatches(context: InstrumentationContext): ModulePatch[] {
  const guard = new HookGuard('ioredis', context.diagnostics);
  // The open transaction of a pipeline write, by the stream object all its commands are written with.
  const transactions = new WeakMap<object, TransactionSpan>();

  const onSend = (client: Client, command: Command, stream: unknown): void => {
    if (command[kSeen] === true) return;
    command[kSeen] = true;
    const name = command.name;
    if (typeof name !== 'string') return;
    if (stream === undefined && client.status === 'connect' && HANDSHAKE.has(name)) return;
    const args = Array.isArray(command.args) ? (command.args as unknown[]) : [];
    if (name === 'client' && CLIENT_CHORES.has(args[0] as string)) return;
    const caller = command[kCaller];
    // A pipelined MULTI … EXEC: all its commands are written with the same pipeline stream object.
    if (typeof stream === 'object' && stream !== null) {
      if (name === 'multi') {
        const transaction = inCallerContext(context, caller, () =>
          TransactionSpan.start(context, peerOf(client)),
        );
        transactions.set(stream, transaction);
        return;
      }
      const transaction = transactions.get(stream);
      if (transaction !== undefined) {
        if (name === 'exec') {
          transactions.delete(stream);
          endOnReply(command, transaction);
          return;
        }
        if (command.inTransaction === true) {
          transaction.add(name, args, 0);
          return;
        }
      }
    }

    const spec = commandSpec(name);
    const peer = peerOf(client);
    const span =
      caller === undefined
        ? startCommandSpan(context, spec, peer, args, 0)
        : inCallerContext(context, caller, () => startCommandSpan(context, spec, peer, args, 0));
    endOnReply(command, span);
  };

  const patchRedis = (exports: unknown): (() => void) => {
    const Redis = (exports as { default?: { prototype?: object } }).default;
    if (typeof Redis?.prototype !== 'object') throw new Error('ioredis Redis class not found');
    return wrapMethod(
      Redis.prototype,
      'sendCommand',
      (original) =>
        function (this: unknown, ...args: unknown[]) {
          const command = args[0];
          if (guard.on && typeof command === 'object' && command !== null) {
            try {
              onSend(this as Client, command as Command, args[1]);
            } catch (error) {
              guard.fail(error);
            }
          }
          return original.apply(this, args);
        },
    );
  };

  const patchPipeline = (exports: unknown): (() => void) => {
    const Pipeline = (exports as { default?: { prototype?: object } }).default;
    if (typeof Pipeline?.prototype !== 'object')
      throw new Error('ioredis Pipeline class not found');
    return wrapMethod(
      Pipeline.prototype,
      'sendCommand',
      (original) =>
        function (this: unknown, ...args: unknown[]) {
          const command = args[0];
          if (guard.on && typeof command === 'object' && command !== null) {
            try {
              // Inside a MULTI only the MULTI itself is needed: the transaction's span starts with it.
              const queuedInTransaction =
                ((this as { _transactions?: number })._transactions ?? 0) > 0 &&
                (command as Command).name !== 'multi';
              const queued = command as Command;
              if (!queuedInTransaction && queued[kCaller] === undefined) {
                queued[kCaller] =
                  context.tracer.activeSpan() ??
                  new AsyncResource('windsock.redis.command', { requireManualDestroy: true });
              }
            } catch (error) {
              guard.fail(error);
            }
          }
          return original.apply(this, args);
        },
    );
  };

  return [
    { module: IOREDIS_MODULE, file: 'built/Redis.js', patch: patchRedis },
    { module: IOREDIS_MODULE, file: 'built/Pipeline.js', patch: patchPipeline },
  ];
}

/** Runs `fn` in the context a pipelined command was queued in. */
function inCallerContext<T>(
  context: InstrumentationContext,
  caller: Caller | undefined,
  fn: () => T,
): T {
  if (caller === undefined) return fn();
  if (!(caller instanceof AsyncResource)) return context.tracer.withSpan(caller, fn);
  try {
    return caller.runInAsyncScope(fn);
  } finally {
    caller.emitDestroy();
  }
}

function peerOf(client: Client): string {
  const options = client.options;
  const cached = client[kPeer];
  if (
    cached !== undefined &&
    cached.options === options &&
    cached.host === options?.host &&
    cached.port === options?.port
  )
    return cached.peer;
  const peer = redisPeer(options?.host, options?.port, options?.path);
  client[kPeer] = { options, host: options?.host, port: options?.port, peer };
  return peer;
}

/**
 * Ends the command's span (or, for EXEC, the transaction's) once ioredis settles the command: it always does so
 * through the command's own `resolve` and `reject` (replies, error replies, timeouts, a closed connection), so
 * wrapping those two leaves the promise the application holds untouched, unhandled rejections included. A reply
 * whose transformation throws goes on to `reject`, which reports it first.
 */
function endOnReply(command: Command, target: Span | TransactionSpan): void {
  const resolve = command.resolve;
  const reject = command.reject;
  if (typeof resolve !== 'function' || typeof reject !== 'function') {
    target.end();
    return;
  }
  let settled = false;
  command.resolve = function (this: unknown, ...args: unknown[]): unknown {
    try {
      return (resolve as (...a: unknown[]) => unknown).apply(this, args);
    } finally {
      if (!settled) {
        settled = true;
        finish(target, undefined, args[0]);
      }
    }
  };
  command.reject = function (this: unknown, ...args: unknown[]): unknown {
    if (!settled) {
      settled = true;
      finish(target, args[0] ?? new Error('rejected'), undefined);
    }
    return (reject as (...a: unknown[]) => unknown).apply(this, args);
  };
}

function finish(target: Span | TransactionSpan, error: unknown, reply: unknown): void {
  try {
    // An EXEC reply carries the errors of queued commands that failed when the transaction ran.
    const failed = error ?? (target instanceof TransactionSpan ? firstErrorIn(reply) : undefined);
    if (failed !== undefined) target.error(failed);
    target.end();
  } catch {
    // Ending a span does not throw; if a tag did, the span is lost, never the reply.
  }
}
