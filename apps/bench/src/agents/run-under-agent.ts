import http from 'node:http';
import { runLoad, startWorkloadServer } from '../workload.js';
import { type AgentHandle } from './agent.js';

/** Tests: `requests` requests of the workload at concurrency 2 under `agent`, which is then shut down. */
export async function runWorkloadUnder(agent: AgentHandle, requests: number) {
  const server = await startWorkloadServer(http, 2, undefined, agent.outgoingHeaders);
  try {
    return await runLoad(http, {
      port: server.port,
      concurrency: 2,
      durationMs: 10_000,
      maxRequests: requests,
      headers: agent.outgoingHeaders,
    });
  } finally {
    await server.close();
    await agent.shutdown(1_000);
  }
}
