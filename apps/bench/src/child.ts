/**
 * The measured process: starts one agent, then the workload, and measures itself. Run by the parent in a fresh
 * process per configuration and run, so no agent's patches, timers or heap leak into another's figures. The
 * receiver lives in the parent, so this process's CPU and memory are the app's and the agent's only.
 */
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { createRequire } from 'node:module';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { type StartAgent } from './agents/agent.js';
import { AGENTS } from './agents/index.js';
import { allowedCpus } from './cpu-pinning.js';
import {
  type ChildMessage,
  type ChildResult,
  type ChildTask,
  type ParentMessage,
} from './protocol.js';
import { type ExpressModule, type HttpModule, runLoad, startWorkloadServer } from './workload.js';

const MB = 1024 * 1024;

function send(message: ChildMessage): void {
  process.send?.(message);
}

/** Profiles the load window only: start-up and module loading would drown the agent's share. */
async function startProfiler() {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return {
    async stop() {
      const { profile } = await session.post('Profiler.stop');
      session.disconnect();
      return profile;
    },
  };
}

function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

async function main(): Promise<void> {
  const task = JSON.parse(process.env.BENCH_TASK ?? '') as ChildTask;
  const module = (await import(`./agents/${AGENTS[task.agent].module}`)) as { start: StartAgent };
  const agent = await module.start({ serviceName: 'bench', collector: task.collector });

  // Loaded after the agent starts and through require, as a CommonJS app would: agents that patch `http` on
  // require see it, and those that listen on diagnostics channels do not care.
  const require = createRequire(import.meta.url);
  const http = require('node:http') as HttpModule;
  const express = task.app === 'express' ? (require('express') as ExpressModule) : undefined;
  const headers = agent.outgoingHeaders;
  const server = await startWorkloadServer(http, task.concurrency, express, headers);
  const load = {
    port: server.port,
    concurrency: task.concurrency,
    maxRequests: task.maxRequests,
    headers,
  };

  const warmup =
    task.warmupMs > 0 ? await runLoad(http, { ...load, durationMs: task.warmupMs }) : undefined;

  collectGarbage();
  const heapBefore = process.memoryUsage().heapUsed;
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const cpuBefore = process.cpuUsage();
  send({ type: 'load-started' });

  const profiler = task.cpuProfilePath === undefined ? undefined : await startProfiler();
  const startedAt = performance.now();
  let answered = 0;
  const progress =
    task.progressIntervalMs > 0
      ? setInterval(() => {
          send({
            type: 'progress',
            elapsedMs: performance.now() - startedAt,
            requests: answered,
            produced: agent.produced(),
            backlog: agent.backlog(),
          });
        }, task.progressIntervalMs)
      : undefined;

  const outcome = await runLoad(http, {
    ...load,
    durationMs: task.durationMs,
    onAnswer: () => {
      answered += 1;
    },
  });

  clearInterval(progress);
  if (profiler !== undefined && task.cpuProfilePath !== undefined) {
    await writeFile(task.cpuProfilePath, JSON.stringify(await profiler.stop()));
  }
  const cpu = process.cpuUsage(cpuBefore);
  loopDelay.disable();
  collectGarbage();
  const heapAfter = process.memoryUsage().heapUsed;

  await agent.flush(task.flushTimeoutMs);
  const result: ChildResult = {
    warmupRequests: warmup?.requests ?? 0,
    ...outcome,
    requestsPerSecond: outcome.requests / (outcome.elapsedMs / 1000),
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    maxRssMb: (process.resourceUsage().maxRSS * 1024) / MB,
    heapGrowthMb: (heapAfter - heapBefore) / MB,
    eventLoopP99Ms: loopDelay.percentile(99) / 1e6,
    produced: agent.produced(),
    backlogAfterFlush: agent.backlog() ?? null,
    cpus: allowedCpus(() => readFileSync('/proc/self/status', 'utf8')) ?? null,
  };
  send({ type: 'result', result });
  // Stay up while the parent lets late deliveries arrive: agents that report on their own clock get that time.
  await new Promise<void>((resolve) => {
    process.on('message', (message: ParentMessage) => {
      if (message.type === 'finish') resolve();
    });
    process.once('disconnect', resolve);
  });

  await server.close();
  await agent.shutdown(task.flushTimeoutMs);
  process.disconnect?.();
  // Agents may hold sockets to a blackholed receiver open; the figures are sent, so do not wait for them.
  setTimeout(() => process.exit(0), 1000).unref();
}

main().catch((error: unknown) => {
  process.stderr.write(`bench child failed: ${String((error as Error)?.stack ?? error)}\n`);
  process.exit(1);
});
