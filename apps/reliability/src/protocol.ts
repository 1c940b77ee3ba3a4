// The messages between a scenario (the parent) and the application under test (the child, over IPC). Everything
// the parent asserts about memory, the event loop and the agent's accounting travels in these messages, so the
// child's crashes, exit code and stderr stay observable from outside.
import type { AgentOptions, AgentStatus } from 'windsock';

/** What the child is told at start, as JSON in the `RELIABILITY_APP` environment variable. */
export interface AppTask {
  /** Passed to `start()` from windsock; `diagnostics` cannot travel as JSON, see `diagnosticsToPino`. */
  agent: Omit<AgentOptions, 'diagnostics'>;
  /** Route the agent's diagnostics into the app's own pino logger, which the agent also reports. */
  diagnosticsToPino: boolean;
  /** pino lines written per request served (the log flood of the stack-overflow scenario uses many). */
  logsPerRequest: number;
  /** Workers of the closed load loop. */
  concurrency: number;
  sampleIntervalMs: number;
}

export type ParentCommand =
  | { type: 'measure-heap'; id: number }
  | { type: 'stop-load'; id: number }
  | { type: 'flush'; id: number; timeoutMs: number }
  | { type: 'shutdown'; id: number; timeoutMs: number };

export interface Sample {
  type: 'sample';
  atMs: number;
  requests: number;
  loadErrors: number;
  heapUsed: number;
  rss: number;
  status: AgentStatus;
  /** Lines the agent wrote to its diagnostics output so far. */
  diagnosticLines: number;
}

export interface HeapMeasure {
  /** After a full garbage collection. */
  heapUsed: number;
  rss: number;
}

export interface LoadSummary {
  requests: number;
  loadErrors: number;
  elapsedMs: number;
  /** Event-loop delay of the app's main thread over the whole run, in ms. */
  loopP99Ms: number;
  loopMaxMs: number;
  maxRss: number;
}

export interface FlushReply {
  done: boolean;
  remaining: number;
  status: AgentStatus;
}

export interface ShutdownReply {
  tookMs: number;
  status: AgentStatus;
  diagnosticLines: number;
  diagnosticSamples: string[];
  loggerStats: { produced: number; suppressed: number; truncated: number };
}

export type ChildMessage =
  | { type: 'ready'; port: number }
  | Sample
  | { type: 'reply'; id: number; value: HeapMeasure | LoadSummary | FlushReply | ShutdownReply }
  | { type: 'crash'; kind: string; error: string };
