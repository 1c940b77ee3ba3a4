import { start as startWindsock } from 'windsock';
import { type AgentHandle, settleWithin, type StartAgent } from './agent.js';

/** windsock through its facade, with its defaults, reporting to `@windsock/collector`. */
export const start: StartAgent = ({ serviceName, collector }): AgentHandle => {
  const agent = startWindsock({ serviceName, collector });
  const segments = () => agent.status().pipelines.segments;
  return {
    produced: () => segments().produced,
    backlog: () => segments().queued + segments().inFlight,
    flush: (timeoutMs) => settleWithin(agent.flush({ timeoutMs }), timeoutMs + 100),
    shutdown: (timeoutMs) => settleWithin(agent.shutdown({ timeoutMs }), timeoutMs + 100),
  };
};
