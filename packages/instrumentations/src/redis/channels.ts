import diagnosticsChannel from 'node:diagnostics_channel';
import { type InstrumentationContext, type Span } from '@windsock/core';
import { HookGuard } from '../hooks/hook-guard.js';
import {
  firstErrorIn,
  redisPeer,
  startCommandSpan,
  TransactionSpan,
} from '../redis-common/cache-span.js';
import { commandSpec } from '../redis-common/commands.js';

/** The channels `@redis/client` 5.12 and later publish (its `CHANNELS.TRACE_COMMAND` and `TRACE_BATCH`). */
export const COMMAND_CHANNEL = 'node-redis:command';
export const BATCH_CHANNEL = 'node-redis:batch';

// The span rides on node-redis's own context object, created for each call and handed to every event of it: a
// symbol is invisible to other subscribers' enumeration and cheaper than a WeakMap.
const kSpan = Symbol('windsock.redis.span');

/** What node-redis puts in the context object of its command and batch channels. */
interface TraceContext {
  [kSpan]?: Span | TransactionSpan;
  command?: unknown;
  /** Set by `tracePromise` when the traced promise resolves: for a MULTI, the EXEC reply. */
  result?: unknown;
  /** The command and its arguments, those node-redis does not consider safe replaced by `?`. */
  args?: unknown;
  serverAddress?: unknown;
  serverPort?: unknown;
  batchMode?: unknown;
  error?: unknown;
}

type Handlers = Parameters<diagnosticsChannel.TracingChannel<object>['subscribe']>[0];

/**
 * Subscribes to node-redis's own tracing channels: `start` runs inside the command's call, in the caller's context,
 * and `asyncEnd` (or `error`) when its promise settles. Nothing of node-redis is patched. A command's span is a child
 * of the active span; a pipeline's commands come one by one on the command channel; a MULTI comes only on the batch
 * channel, as one transaction. Returns the unsubscribe.
 */
export function subscribeNodeRedis(context: InstrumentationContext): () => void {
  if (typeof diagnosticsChannel.tracingChannel !== 'function') return noop;
  const guard = new HookGuard('redis', context.diagnostics);

  // A subscriber that throws would be rethrown on the next tick by diagnostics_channel: every handler catches.
  const commandHandlers: Handlers = {
    start(message) {
      if (!guard.on) return;
      try {
        const ctx = message as TraceContext;
        // Defensive: if a later version also publishes a MULTI's queued commands, the transaction covers them.
        if (ctx.batchMode === 'MULTI') return;
        const args = Array.isArray(ctx.args) ? (ctx.args as unknown[]) : [];
        const name = typeof ctx.command === 'string' ? ctx.command : args[0];
        if (typeof name !== 'string') return;
        ctx[kSpan] = startCommandSpan(context, commandSpec(name), peerOf(ctx), args, 1);
      } catch (error) {
        guard.fail(error);
      }
    },
    end(message) {
      // The traced function threw synchronously: no asyncEnd follows.
      if ('error' in (message as TraceContext)) finish(message);
    },
    asyncStart: noop,
    asyncEnd: finish,
    error(message) {
      try {
        const ctx = message as TraceContext;
        ctx[kSpan]?.error(ctx.error);
      } catch (error) {
        guard.fail(error);
      }
    },
  };

  function finish(message: object): void {
    try {
      const ctx = message as TraceContext;
      const span = ctx[kSpan];
      if (span === undefined) return;
      ctx[kSpan] = undefined;
      span.end();
    } catch (error) {
      guard.fail(error);
    }
  }

  const batchHandlers: Handlers = {
    start(message) {
      if (!guard.on) return;
      try {
        const ctx = message as TraceContext;
        if (ctx.batchMode !== 'MULTI') return;
        const transaction = TransactionSpan.start(context, peerOf(ctx));
        // The channel publishes how many commands a MULTI holds, not which: a transaction is taken as a write, and
        // its key shown as node-redis shows an argument it keeps back.
        transaction.assume('write', '?');
        ctx[kSpan] = transaction;
      } catch (error) {
        guard.fail(error);
      }
    },
    end(message) {
      if ('error' in (message as TraceContext)) finishBatch(message);
    },
    asyncStart: noop,
    asyncEnd: finishBatch,
    error(message) {
      try {
        const ctx = message as TraceContext;
        ctx[kSpan]?.error(ctx.error);
      } catch (error) {
        guard.fail(error);
      }
    },
  };

  function finishBatch(message: object): void {
    try {
      const ctx = message as TraceContext;
      const transaction = ctx[kSpan];
      if (transaction === undefined) return;
      ctx[kSpan] = undefined;
      // A queued command that failed when EXEC ran comes back inside the reply; node-redis then throws a
      // MultiErrorReply to the application, after the traced promise has resolved.
      const failed = firstErrorIn(ctx.result);
      if (failed !== undefined) transaction.error(failed);
      transaction.end();
    } catch (error) {
      guard.fail(error);
    }
  }

  const command = diagnosticsChannel.tracingChannel(COMMAND_CHANNEL);
  const batch = diagnosticsChannel.tracingChannel(BATCH_CHANNEL);
  command.subscribe(commandHandlers);
  batch.subscribe(batchHandlers);
  return () => {
    command.unsubscribe(commandHandlers);
    batch.unsubscribe(batchHandlers);
  };
}

function peerOf(ctx: TraceContext): string {
  // node-redis reports a unix socket as its path with no port.
  return ctx.serverPort === undefined
    ? redisPeer(undefined, undefined, ctx.serverAddress)
    : redisPeer(ctx.serverAddress, ctx.serverPort);
}

function noop(): void {}
