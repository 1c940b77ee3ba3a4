import { type AgentName } from './agents/index.js';

/** What the parent asks one measured child process to do (passed as JSON in `BENCH_TASK`). */
export interface ChildTask {
  agent: AgentName;
  /** The measured app (`--app`). */
  app: 'http' | 'express';
  /** Receiver address for the agent; empty for no agent. */
  collector: string;
  concurrency: number;
  warmupMs: number;
  durationMs: number;
  maxRequests: number;
  flushTimeoutMs: number;
  /** How often to report progress during the load; 0 for never. */
  progressIntervalMs: number;
  /** Where to write a V8 CPU profile of the load window, if anywhere. */
  cpuProfilePath?: string;
  /** CPUs the child is confined to (`--pin=on`), in taskset's list syntax; unset for any CPU. */
  cpus?: string;
}

/** Figures measured inside the child, over the load window (after warm-up) unless said otherwise. */
export interface ChildResult {
  /** Requests answered during the warm-up, whose telemetry counts in `produced` too. */
  warmupRequests: number;
  requests: number;
  errors: number;
  elapsedMs: number;
  requestsPerSecond: number;
  /** User + system CPU seconds of the whole process during the load window. */
  cpuSeconds: number;
  /** Peak resident set size of the process over its whole life. */
  maxRssMb: number;
  /** Heap used after the load minus before it, each after a full GC. */
  heapGrowthMb: number;
  eventLoopP99Ms: number;
  /** Items the agent finished over the whole run, warm-up included (what the receiver may count). */
  produced: number;
  /** What the agent still held after its flush, if it says. */
  backlogAfterFlush: number | null;
  /** The CPUs the child was allowed to run on (Linux's `Cpus_allowed_list`), null where that is unknown. */
  cpus: string | null;
}

export interface ChildProgress {
  /** Since the load window started. */
  elapsedMs: number;
  requests: number;
  produced: number;
  backlog: number | undefined;
}

export type ChildMessage =
  | { type: 'load-started' }
  | ({ type: 'progress' } & ChildProgress)
  | { type: 'result'; result: ChildResult };

/** Parent to child, after the result: the parent has counted what it needed and the child may shut down. */
export type ParentMessage = { type: 'finish' };
