import { start as startWindsock } from 'windsock';
import { type AgentHandle, settleWithin, type StartAgent } from './agent.js';

/** windsock with its web framework plugins disabled: the HTTP-only agent on the Express variant of the workload. */
export const start: StartAgent = ({ serviceName, collector }): AgentHandle => {
  const agent = startWindsock({
    serviceName,
    collector,
    disablePlugins: ['express', 'koa', 'fastify'],
  });
  const segments = () => agent.status().pipelines.segments;
  return {
    produced: () => segments().produced,
    backlog: () => segments().queued + segments().inFlight,
    flush: (timeoutMs) => settleWithin(agent.flush({ timeoutMs }), timeoutMs + 100),
    shutdown: (timeoutMs) => settleWithin(agent.shutdown({ timeoutMs }), timeoutMs + 100),
  };
};
