import { processGlobal } from '../process-global.js';

/**
 * How deep the current synchronous call stack is inside agent code. A counter (not a flag) so nested agent calls
 * unwind correctly; a plain number (not AsyncLocalStorage) so the check on every log line is a field read.
 */
interface AgentGuardState {
  depth: number;
}

const state = processGlobal<AgentGuardState>('agent-guard', () => ({ depth: 0 }));

/**
 * Runs `fn` as agent code: every log record produced while it runs (synchronously) is not reported, whichever
 * logger it went through. This is what makes the apache/skywalking#11832 loop impossible: a sink call that
 * overflows and writes a diagnostic through the application's own (instrumented) logger finds the guard up, so the
 * line is written but never re-enters the pipeline. Core wraps every sink call and every diagnostic in it; the
 * facade wraps its own callbacks (overflow listeners, transport callbacks, timers) in it, or uses `bindAgent`.
 */
export function runAsAgent<T>(fn: () => T): T {
  state.depth += 1;
  try {
    return fn();
  } finally {
    state.depth -= 1;
  }
}

/**
 * `runAsAgent` in two halves, for hot paths that should not allocate a closure per call. Every `enterAgent()` must
 * be matched by a `leaveAgent()` in a `finally`.
 * @internal
 */
export function enterAgent(): void {
  state.depth += 1;
}

/** @internal See `enterAgent`. */
export function leaveAgent(): void {
  state.depth -= 1;
}

/** True while agent code runs on the current stack (see `runAsAgent`). */
export function isAgentRunning(): boolean {
  return state.depth > 0;
}

/**
 * Wraps a callback the agent hands to someone else (a timer, a stream or gRPC callback, an event listener) so that it
 * runs as agent code whenever it is called.
 */
export function bindAgent<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
  return (...args: A) => runAsAgent(() => fn(...args));
}
