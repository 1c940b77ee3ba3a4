import { start as startWindsock, type AgentOptions } from 'windsock';
import { type AgentHandle, settleWithin, type StartAgent } from './agent.js';

/** windsock through its facade, reporting to `@windsock/collector`, with `options` over its defaults. */
export function startWindsockWith(options: Partial<AgentOptions> = {}): StartAgent {
  return ({ serviceName, collector }): AgentHandle => {
    const agent = startWindsock({ ...options, serviceName, collector });
    const segments = () => agent.status().pipelines.segments;
    return {
      produced: () => segments().produced,
      backlog: () => segments().queued + segments().inFlight,
      flush: (timeoutMs) => settleWithin(agent.flush({ timeoutMs }), timeoutMs + 100),
      shutdown: (timeoutMs) => settleWithin(agent.shutdown({ timeoutMs }), timeoutMs + 100),
    };
  };
}

/** windsock with its defaults. */
export const start: StartAgent = startWindsockWith();
