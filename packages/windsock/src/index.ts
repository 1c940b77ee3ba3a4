export { start, type Agent, type FlushOptions, type FlushResult } from './agent.js';
export { AGENT_METER } from '@windsock/reporter';
export { parseSampleRate } from './configuration-discovery.js';
export { startFromEnvironment } from './start-from-environment.js';
export {
  activeSpan,
  entrySpan,
  trace,
  traceContext,
  traceEntry,
  traceExit,
  traceId,
  type TraceOptions,
} from './tracing.js';
export type { ActiveContext, HeaderSource, HeaderTarget, Span } from '@windsock/core';
export { RuntimeMeter } from '@windsock/core';
export { SpanLayer } from '@windsock/protocol';
export type { InstrumentWinstonOptions, WinstonLoggerLike } from '@windsock/core/winston';
export {
  ConfigError,
  configurationTable,
  resolveConfig,
  SETTINGS,
  PLUGIN_NAMES,
  type AgentConfig,
  type AgentOptions,
  type ConfigProblem,
  type DiagnosticLevel,
} from './config.js';
export type { AgentState, AgentStatus, BackendStatus, PipelineStatus } from '@windsock/reporter';
export { AGENT_VERSION } from './instance.js';
