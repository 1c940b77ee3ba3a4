// What the reporter is built from: plain values, so that it does not know how the agent reads its configuration.
import type { DiagnosticLogger } from '@windsock/core';
import type { ConfigurationUpdate, TransportOptions } from '@windsock/transport';

export interface ReporterOptions {
  /** The service and instance every report is sent as. */
  serviceName: string;
  serviceInstance: string;
  /** Sent as `agent-version` metadata and in the instance properties OAP shows. */
  agentVersion: string;
  /** OAP gRPC addresses (`host:port`), in order of preference. */
  backends: readonly string[];
  /** TLS and the `authentication` token. */
  security?: Pick<
    TransportOptions,
    'secure' | 'caPath' | 'certPath' | 'keyPath' | 'authentication'
  >;
  /** Deadline of one report call, in ms. */
  reportTimeoutMs: number;
  /** Retries of a batch on another (or the same) backend, with exponential backoff between them. */
  retry: { maxAttempts: number; initialDelayMs: number; maxDelayMs: number };
  /** Consecutive failures that open a backend's breaker. */
  breakerThreshold: number;
  /** Delays between keepAlive probes of a backend whose breaker is open, growing from min to max. */
  probe: { minDelayMs: number; maxDelayMs: number };
  /** Bounds of each pipeline's queue and the shape of its batches. */
  queue: { maxItems: number; maxBytes: number; maxBatchItems: number; lingerMs: number };
  heartbeatIntervalMs: number;
  /** Interval between configuration discovery polls; 0 disables them. */
  cdsIntervalMs: number;
  /** False: log records offered to the sink are not reported (they are still correlated by the logger). */
  reportLogs: boolean;
  /** Where the reporter tells about breaker transitions, overflow episodes and items it could not encode. */
  diagnostics: DiagnosticLogger;
  /** Each configuration from OAP's configuration discovery that differs from the last one. */
  onConfiguration?: (update: ConfigurationUpdate) => void;
}
