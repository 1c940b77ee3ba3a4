import { type StartAgent } from './agent.js';
import { startWindsockWith } from './windsock.js';

/** windsock with its web framework plugins disabled: the HTTP-only agent on the Express variant of the workload. */
export const start: StartAgent = startWindsockWith({
  disablePlugins: ['express', 'koa', 'fastify', 'nestjs'],
});
