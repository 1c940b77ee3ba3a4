// The settings as the reporter's options: the reporter knows nothing of how the agent reads its configuration.
import type { DiagnosticLogger } from '@windsock/core';
import { OptionsError, Reporter, type ReporterOptions } from '@windsock/reporter';
import { ConfigError, type AgentConfig } from './config.js';
import { AGENT_VERSION } from './instance.js';

/** The reporter built from the configuration; a problem it finds (an unreadable certificate) is a ConfigError. */
export function createReporter(
  config: AgentConfig,
  diagnostics: DiagnosticLogger,
  onConfiguration: ReporterOptions['onConfiguration'],
): Reporter {
  try {
    return new Reporter({
      serviceName: config.serviceName,
      serviceInstance: config.serviceInstance,
      agentVersion: AGENT_VERSION,
      backends: config.collector,
      security: {
        secure: config.secure,
        caPath: config.tlsCaPath,
        certPath: config.tlsCertPath,
        keyPath: config.tlsKeyPath,
        authentication: config.authentication,
      },
      reportTimeoutMs: config.reportTimeoutMs,
      retry: {
        maxAttempts: config.retryMaxAttempts,
        initialDelayMs: config.retryInitialDelayMs,
        maxDelayMs: config.retryMaxDelayMs,
      },
      breakerThreshold: config.breakerThreshold,
      probe: { minDelayMs: config.probeMinDelayMs, maxDelayMs: config.probeMaxDelayMs },
      queue: {
        maxItems: config.maxBufferSize,
        maxBytes: config.maxBufferBytes,
        maxBatchItems: config.maxBatchItems,
        lingerMs: config.lingerMs,
      },
      heartbeatIntervalMs: config.heartbeatIntervalMs,
      cdsIntervalMs: config.cdsIntervalMs,
      reportLogs: config.logReporterEnable,
      diagnostics,
      onConfiguration,
    });
  } catch (error) {
    throw error instanceof OptionsError ? new ConfigError(error.problems) : error;
  }
}
