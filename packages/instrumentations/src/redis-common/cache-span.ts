import { type InstrumentationContext, type Span } from '@windsock/core';
import { ComponentId, SpanLayer } from '@windsock/protocol';
import { type CacheOp, type CommandSpec, commandSpec, firstKeyArgument } from './commands.js';

/** `cache.type`: OAP's virtual cache analysis skips a Cache-layer span without it. */
export const CACHE_TYPE = 'Redis';

const EXIT_OPTIONS = { layer: SpanLayer.Cache, componentId: ComponentId.Redis } as const;

const MULTI = commandSpec('multi');

/** `host:port` (brackets around an IPv6 literal), or the unix socket path. */
export function redisPeer(host: unknown, port: unknown, path?: unknown): string {
  if (typeof path === 'string' && path !== '') return path;
  const name = typeof host === 'string' && host !== '' ? host : 'localhost';
  const number = typeof port === 'number' || typeof port === 'string' ? port : 6379;
  return name.includes(':') && !name.startsWith('[') ? `[${name}]:${number}` : `${name}:${number}`;
}

/**
 * `cache.key` from a raw key argument: strings and numbers as they are, byte keys decoded as UTF-8, anything else
 * left out. Cut to `max` characters (without splitting a surrogate pair) and marked with `...`, as the Java agent's
 * Redis plugins mark a cut key.
 */
export function cacheKey(raw: unknown, max: number): string | undefined {
  let key: string;
  if (typeof raw === 'string') key = raw;
  else if (typeof raw === 'number' || typeof raw === 'bigint') key = String(raw);
  else if (raw instanceof Uint8Array) {
    // A key of megabytes is legal; decode only what can be kept (a UTF-8 character is at most 4 bytes).
    const bytes = max > 0 && raw.byteLength > max * 4 ? raw.subarray(0, max * 4) : raw;
    key = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  } else return undefined;
  if (!(max > 0) || key.length <= max) return key;
  let end = max;
  const last = key.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${key.slice(0, end)}...`;
}

/**
 * Opens the exit span of one command, child of the active span, with the tags OAP's virtual cache analysis reads.
 * `args` are the arguments after the name from `start` on; only the key is read from them, never a value.
 */
export function startCommandSpan(
  context: InstrumentationContext,
  spec: CommandSpec,
  peer: string,
  args: ArrayLike<unknown>,
  start: number,
): Span {
  const span = context.tracer.startExitSpan(spec.operation, peer, EXIT_OPTIONS);
  if (!span.sampled) return span;
  span.tag('cache.type', CACHE_TYPE);
  span.tag('cache.cmd', spec.cmd);
  if (spec.op !== undefined) span.tag('cache.op', spec.op);
  const key = cacheKey(firstKeyArgument(spec, args, start), context.settings.cacheKeyMaxLength);
  if (key !== undefined) span.tag('cache.key', key);
  return span;
}

/**
 * One span for a MULTI … EXEC transaction. The server runs it as one unit at EXEC and the queued commands only
 * answer QUEUED, so a span per command would repeat the same latency. `cache.op` is `write` when any command in it
 * writes, `read` when every command reads; `cache.key` is the first key.
 */
export class TransactionSpan {
  private writes = false;
  private reads = false;
  private others = false;
  private key: unknown;
  private finished = false;

  constructor(
    private readonly context: InstrumentationContext,
    readonly span: Span,
  ) {}

  static start(context: InstrumentationContext, peer: string): TransactionSpan {
    const span = context.tracer.startExitSpan(MULTI.operation, peer, EXIT_OPTIONS);
    return new TransactionSpan(context, span);
  }

  /** Records one queued command (its name and where its key is; values are not read). */
  add(name: string, args: ArrayLike<unknown>, start: number): void {
    if (!this.span.sampled) return;
    const spec = commandSpec(name);
    if (spec.op === 'write') this.writes = true;
    else if (spec.op === 'read') this.reads = true;
    else this.others = true;
    if (this.key === undefined) this.key = firstKeyArgument(spec, args, start);
  }

  /** When the queued commands are not known (node-redis's channel publishes only the count), a write. */
  assume(op: CacheOp, key: string): void {
    if (op === 'write') this.writes = true;
    else this.reads = true;
    this.key = key;
  }

  error(error: unknown): void {
    this.span.error(error);
  }

  end(): void {
    if (this.finished) return;
    this.finished = true;
    const span = this.span;
    if (span.sampled) {
      span.tag('cache.type', CACHE_TYPE);
      span.tag('cache.cmd', MULTI.cmd);
      // A script or other unclassified command may write, so only an all-read transaction is a read.
      const op = this.writes ? 'write' : this.reads && !this.others ? 'read' : undefined;
      if (op !== undefined) span.tag('cache.op', op);
      const key = cacheKey(this.key, this.context.settings.cacheKeyMaxLength);
      if (key !== undefined) span.tag('cache.key', key);
    }
    span.end();
  }
}

/** The first error in an EXEC reply (a queued command that failed when the transaction ran), if any. */
export function firstErrorIn(replies: unknown): Error | undefined {
  if (!Array.isArray(replies)) return undefined;
  for (const reply of replies) if (reply instanceof Error) return reply;
  return undefined;
}
