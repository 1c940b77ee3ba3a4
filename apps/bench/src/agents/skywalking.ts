import { createRequire } from 'node:module';
import { type EventEmitter } from 'node:events';
import { type AgentHandle, settleWithin, type StartAgent } from './agent.js';

interface SkyWalkingAgent {
  start(options: { serviceName: string; collectorAddress: string }): void;
  flush(): Promise<unknown> | null;
  destroy(): void;
}

/**
 * The Apache SkyWalking Node.js agent (`skywalking-backend-js`), with its defaults, reporting to
 * `@windsock/collector`. It is CommonJS and instruments through `require`, as it does in a user's app.
 */
export const start: StartAgent = ({ serviceName, collector }): AgentHandle => {
  const require = createRequire(import.meta.url);
  const agent = (require('skywalking-backend-js') as { default: SkyWalkingAgent }).default;
  // Every finished segment is announced on the agent's internal emitter; its gRPC client buffers from the same event.
  const { emitter } = require('skywalking-backend-js/lib/lib/EventEmitter') as {
    emitter: EventEmitter;
  };
  let produced = 0;
  emitter.on('segment-finished', () => {
    produced += 1;
  });
  agent.start({ serviceName, collectorAddress: collector });
  return {
    produced: () => produced,
    backlog: () => undefined,
    flush: (timeoutMs) => settleWithin(agent.flush(), timeoutMs),
    shutdown: (timeoutMs) => {
      agent.destroy();
      return settleWithin(Promise.resolve(), timeoutMs);
    },
  };
};
