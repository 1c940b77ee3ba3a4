export { createTracer, Tracer, type TracerOptions } from './tracer.js';
export { DEFAULT_MAX_SPANS_PER_SEGMENT, DEFAULT_MAX_TAG_VALUE_LENGTH } from './tracer.js';
export { suppressTracing } from './context.js';
export { nextId } from './ids.js';
export { globToRegExpSource, IgnoreRules } from './ignore-rules.js';
export { type InstrumentationName } from './instrumentation/http-instrumentation.js';
export type {
  ActiveContext,
  EntrySpanOptions,
  ExitSpanOptions,
  HeaderSource,
  HeaderTarget,
  LocalSpanOptions,
  Sink,
  Span,
  TracerStats,
} from './types.js';
