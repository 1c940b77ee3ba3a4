import { type AgentHandle, type StartAgent } from './agent.js';

/** The baseline: the same workload with no agent loaded at all. */
export const start: StartAgent = (): AgentHandle => ({
  produced: () => 0,
  backlog: () => 0,
  flush: () => Promise.resolve(),
  shutdown: () => Promise.resolve(),
});
