// The tracing API for application code, shaped after what SkyWalking users know from the Java toolkit
// (`ActiveSpan`, `TraceContext.traceId()`, `@Trace`): functions that work on the running agent and, when none is
// running (not started yet, shut down, or started in a test without one), do nothing and run the user's function
// as it is. None of them throws into the application.
import {
  NOOP_SPAN,
  runInSpan,
  type ActiveContext,
  type HeaderSource,
  type HeaderTarget,
  type LocalSpanOptions,
  type Span,
} from '@windsock/core';
import { runningAgent, type Agent } from './agent.js';

/** Layer and component id of a span the application opens (defaults: Unknown, 0). */
export type TraceOptions = LocalSpanOptions;

/**
 * The innermost active span (an HTTP request's entry span, a library's exit span, a `trace()` span), or undefined
 * outside a trace: tag it, log on it, record an error, rename it.
 */
export function activeSpan(): Span | undefined {
  try {
    return runningAgent()?.tracer.activeSpan();
  } catch {
    return undefined;
  }
}

/**
 * The entry span of the active trace segment while it is open (for an HTTP request: its `GET:/path` span), or
 * undefined. Renaming it renames the endpoint OAP shows: `entrySpan()?.setOperationName('GET:/orders/{id}')`.
 */
export function entrySpan(): Span | undefined {
  try {
    return runningAgent()?.tracer.activeEntrySpan();
  } catch {
    return undefined;
  }
}

/**
 * The trace id of the active trace, for log lines and a response header; undefined outside a trace and in a trace
 * that is not sampled (OAP has nothing under its id).
 */
export function traceId(): string | undefined {
  return traceContext()?.traceId;
}

/** Trace id, segment id and span id of the active span (as `traceId()`: undefined outside a sampled trace). */
export function traceContext(): ActiveContext | undefined {
  try {
    return runningAgent()?.tracer.activeContext();
  } catch {
    return undefined;
  }
}

/**
 * Runs `fn` in a local span named `operation`, a child of the active span (or the root of a new trace). The span
 * ends when `fn` returns, or when the promise it returns settles; a throw or rejection is recorded on the span and
 * passed on unchanged, as is the result. `fn` receives the span (to tag it). Without an agent, `fn` just runs.
 */
export function trace<T>(operation: string, fn: (span: Span) => T, options?: TraceOptions): T {
  return withAgent(fn, (agent) =>
    runInSpan(agent.tracer, agent.tracer.startLocalSpan(operation, options), fn),
  );
}

/**
 * Extract: runs `fn` in an entry span for work arriving from outside through a carrier no instrumentation knows (a
 * job's data, a message's properties, a custom protocol's metadata): it continues the trace whose `sw8` the carrier
 * holds, or starts a new one, never the trace that happens to be active. Ends and records as `trace()`.
 */
export function traceEntry<T>(
  operation: string,
  carrier: HeaderSource | undefined,
  fn: (span: Span) => T,
  options?: TraceOptions,
): T {
  return withAgent(fn, (agent) =>
    runInSpan(
      agent.tracer,
      agent.tracer.startEntrySpan(operation, { ...options, headers: carrier, root: true }),
      fn,
    ),
  );
}

/**
 * Inject: runs `fn` in an exit span for a call to `peer` (`host:port`) that no instrumentation sees, after writing
 * `sw8` (and `sw8-correlation` / `sw8-x` when there is something to forward) into `carrier`, a plain object or
 * anything with `set(name, value)`: send the carrier with the call. Ends and records as `trace()`.
 */
export function traceExit<T>(
  operation: string,
  peer: string,
  carrier: HeaderTarget,
  fn: (span: Span) => T,
  options?: TraceOptions,
): T {
  return withAgent(fn, (agent) =>
    runInSpan(
      agent.tracer,
      agent.tracer.startExitSpan(operation, peer, { ...options, headers: carrier }),
      fn,
    ),
  );
}

/** Runs `traced` with the running agent, or `fn` alone, with a span that records nothing, without one. */
function withAgent<T>(fn: (span: Span) => T, traced: (agent: Agent) => T): T {
  const agent = runningAgent();
  return agent === undefined ? fn(NOOP_SPAN) : traced(agent);
}
