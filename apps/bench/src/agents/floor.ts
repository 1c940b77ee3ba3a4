import { AsyncLocalStorage } from 'node:async_hooks';
import { channel } from 'node:diagnostics_channel';
import { type AgentHandle, type StartAgent } from './agent.js';

/** As long as an `sw8` header carrying a trace from this workload (its ids, names and endpoint). */
export const FLOOR_HEADER = { 'x-floor': 'x'.repeat(185) };

/**
 * What any tracing agent must pay and windsock cannot remove: a context entered per incoming request and a header of
 * `sw8`'s size on every outgoing one (handed to the workload, which sets it as an application would). The gap between
 * this case and windsock's is the agent's own work.
 */
export const start: StartAgent = (): AgentHandle => {
  const storage = new AsyncLocalStorage<object>();
  const enter = () => storage.enterWith({});
  channel('http.server.request.start').subscribe(enter);
  return {
    produced: () => 0,
    backlog: () => 0,
    flush: () => Promise.resolve(),
    shutdown: () => {
      channel('http.server.request.start').unsubscribe(enter);
      storage.disable();
      return Promise.resolve();
    },
    outgoingHeaders: FLOOR_HEADER,
  };
};
