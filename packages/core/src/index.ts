export { createTracer, Tracer, type TracerOptions } from './tracing/tracer.js';
export { DEFAULT_MAX_SPANS_PER_SEGMENT, DEFAULT_MAX_TAG_VALUE_LENGTH } from './tracing/tracer.js';
export { suppressTracing } from './tracing/context.js';
export { runInSpan } from './tracing/run-in-span.js';
export { DEFAULT_MAX_ERROR_STACK_LENGTH, NOOP_SPAN, SpanRecord } from './tracing/span.js';
export { nextId } from './tracing/ids.js';
export { globToRegExpSource, IgnoreRules } from './tracing/ignore-rules.js';
export { type InstrumentationName } from './instrumentation/http-instrumentation.js';
export type {
  ActiveContext,
  EntrySpanOptions,
  ExitSpanOptions,
  HeaderSource,
  HeaderTarget,
  LocalSpanOptions,
  Span,
  TracerStats,
} from './tracing/types.js';
export type { Sink } from './sink.js';
export { bindAgent, isAgentRunning, runAsAgent } from './diagnostics/agent-guard.js';
export {
  createDiagnosticLogger,
  DEFAULT_DIAGNOSTIC_THROTTLE_MS,
  type DiagnosticLevel,
  type DiagnosticLogger,
  type DiagnosticLoggerOptions,
} from './diagnostics/diagnostic-logger.js';
export {
  createLogger,
  DEFAULT_MAX_ATTRIBUTE_LENGTH,
  DEFAULT_MAX_MESSAGE_LENGTH,
  Logger,
  type LogAttributes,
  type LoggerOptions,
  type LoggerStats,
  type LogMessage,
  type LogOrigin,
  captureLogOrigin,
} from './logs/logger.js';
export { correlationFields, type CorrelationFields } from './logs/correlation.js';
export {
  createMeterRegistry,
  DEFAULT_METER_INTERVAL_MS,
  MeterRegistry,
  type Counter,
  type Histogram,
  type MeterLabels,
  type MeterRegistryOptions,
  type MeterRegistryStats,
} from './meters/meter-registry.js';
export { RuntimeMeter } from './meters/runtime-meters.js';
export {
  DEFAULT_INSTRUMENTATION_SETTINGS,
  type Instrumentation,
  type InstrumentationContext,
  type InstrumentationSettings,
  type SupportedModule,
} from './instrumentation/contract.js';
export {
  fetchInstrumentation,
  httpClientInstrumentation,
  httpServerInstrumentation,
  NODE_INSTRUMENTATIONS,
} from './instrumentation/node-instrumentations.js';
