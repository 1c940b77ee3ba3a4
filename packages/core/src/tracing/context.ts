import { AsyncLocalStorage } from 'node:async_hooks';
import { processGlobal } from '../process-global.js';
import { type SpanRecord } from './span.js';

/**
 * Marks a context in which nothing is traced: the agent's own requests, and requests an ignore rule matched.
 * A sentinel in the same storage (rather than a second AsyncLocalStorage) keeps one store lookup per decision.
 */
export const SUPPRESSED: unique symbol = Symbol.for('windsock.suppressed');

export type ContextValue = SpanRecord | typeof SUPPRESSED;

// Process-wide so that `suppressTracing` works for every tracer in the process, and
// so that log integrations loaded from another entry point or module format see the same active span.
export const contextStorage = processGlobal('context', () => new AsyncLocalStorage<ContextValue>());

/** The span active in the current async context, if tracing is not suppressed here. */
export function activeSpan(): SpanRecord | undefined {
  const value = contextStorage.getStore();
  return value === SUPPRESSED ? undefined : value;
}

export function isSuppressed(): boolean {
  return contextStorage.getStore() === SUPPRESSED;
}

/**
 * Runs `fn` with tracing suppressed: no span is created and no header injected for anything it starts,
 * including callbacks and promises created inside it. The facade builds the agent inside it, so the agent's loops,
 * timers and gRPC calls all run suppressed and the agent never traces itself (the grpc-js instrumentation also
 * skips SkyWalking's own methods, for an agent started any other way).
 */
export function suppressTracing<T>(fn: () => T): T {
  return contextStorage.run(SUPPRESSED, fn);
}
