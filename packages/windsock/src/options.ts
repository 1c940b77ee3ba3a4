// What `start()` accepts (`AgentOptions`) and what the settings table resolves it to (`AgentConfig`): the types of
// the configuration, apart from the table that reads, defaults and documents each field (settings.ts).
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type DiagnosticLevel = (typeof LOG_LEVELS)[number];

/** Everything `start()` accepts. Every field is optional; see the README table for defaults. */
export interface AgentOptions {
  serviceName?: string;
  serviceInstance?: string;
  collector?: string | string[];
  authentication?: string;
  secure?: boolean;
  tlsCaPath?: string;
  tlsCertPath?: string;
  tlsKeyPath?: string;
  sampleRate?: number;
  maxBufferSize?: number;
  maxBufferBytes?: number;
  traceIgnorePath?: string | string[];
  httpIgnoreMethod?: string | string[];
  disablePlugins?: string | string[];
  logReporterEnable?: boolean;
  meterReporterEnable?: boolean;
  runtimeMetersEnable?: boolean;
  heartbeatIntervalMs?: number;
  cdsIntervalMs?: number;
  meterIntervalMs?: number;
  loggingLevel?: DiagnosticLevel;
  reportTimeoutMs?: number;
  maxBatchItems?: number;
  lingerMs?: number;
  breakerThreshold?: number;
  probeMinDelayMs?: number;
  probeMaxDelayMs?: number;
  retryMaxAttempts?: number;
  retryInitialDelayMs?: number;
  retryMaxDelayMs?: number;
  shutdownOnSignals?: boolean;
  captureConsole?: boolean;
  sqlTraceParameters?: boolean;
  sqlParametersMaxLength?: number;
  sqlStatementMaxLength?: number;
  cacheKeyMaxLength?: number;
  errorStackMaxLength?: number;
  /** Where the agent's own diagnostics go (default: stderr). Never routed through a reported logger. */
  diagnostics?: (line: string) => void;
}

/** The resolved configuration: every field present and valid. */
export interface AgentConfig {
  serviceName: string;
  serviceInstance: string;
  collector: string[];
  authentication: string | undefined;
  secure: boolean;
  tlsCaPath: string | undefined;
  tlsCertPath: string | undefined;
  tlsKeyPath: string | undefined;
  sampleRate: number;
  maxBufferSize: number;
  maxBufferBytes: number;
  traceIgnorePath: string[];
  httpIgnoreMethod: string[];
  disablePlugins: string[];
  logReporterEnable: boolean;
  meterReporterEnable: boolean;
  runtimeMetersEnable: boolean;
  heartbeatIntervalMs: number;
  cdsIntervalMs: number;
  meterIntervalMs: number;
  loggingLevel: DiagnosticLevel;
  reportTimeoutMs: number;
  maxBatchItems: number;
  lingerMs: number;
  breakerThreshold: number;
  probeMinDelayMs: number;
  probeMaxDelayMs: number;
  retryMaxAttempts: number;
  retryInitialDelayMs: number;
  retryMaxDelayMs: number;
  shutdownOnSignals: boolean;
  captureConsole: boolean;
  sqlTraceParameters: boolean;
  sqlParametersMaxLength: number;
  sqlStatementMaxLength: number;
  cacheKeyMaxLength: number;
  errorStackMaxLength: number;
}
