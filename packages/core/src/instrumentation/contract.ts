import { type DiagnosticLogger } from '../diagnostics/diagnostic-logger.js';
import { type Logger } from '../logs/logger.js';
import { type Tracer } from '../tracing/tracer.js';

/** A library an instrumentation covers, and the versions it was written and tested against (a semver range). */
export interface SupportedModule {
  /** The package name as required or imported: `express`, `@grpc/grpc-js`. */
  readonly name: string;
  /** Versions it instruments (`>=4 <6`); other versions get one diagnostic line and are left alone. */
  readonly versions: string;
}

/** Settings instrumentations read; the facade fills them from its settings table (options and `SW_*`). */
export interface InstrumentationSettings {
  /** Longest `db.statement` kept, in characters. */
  readonly sqlStatementMaxLength: number;
  /** Record query parameters as `db.sql.parameters` (off by default: they may hold personal data). */
  readonly sqlTraceParameters: boolean;
  /** Longest `db.sql.parameters` kept, in characters. */
  readonly sqlParametersMaxLength: number;
  /** Longest `cache.key` kept, in characters. */
  readonly cacheKeyMaxLength: number;
}

export const DEFAULT_INSTRUMENTATION_SETTINGS: InstrumentationSettings = {
  sqlStatementMaxLength: 2048,
  sqlTraceParameters: false,
  sqlParametersMaxLength: 512,
  cacheKeyMaxLength: 128,
};

/** What an instrumentation is given when it is enabled. */
export interface InstrumentationContext {
  /** Opens spans (`startEntrySpan`, `startExitSpan`, `startLocalSpan`, `withSpan`, `activeEntrySpan`). */
  readonly tracer: Tracer;
  /** Reports log records (the logger integrations). */
  readonly logger: Logger;
  /**
   * The agent's own voice: a version outside the supported range, a hook that failed. Keyed lines, throttled,
   * never reported through the pipelines.
   */
  readonly diagnostics: DiagnosticLogger;
  readonly settings: InstrumentationSettings;
}

/**
 * One library's instrumentation. It is a description plus `enable`: the registry lists every one, so the accepted
 * names of `disablePlugins` and the README's list of what is instrumented come from the same place as the code.
 * `enable` must not throw and must leave the application unchanged when it fails (one diagnostic line, then off).
 */
export interface Instrumentation {
  /** The name `SW_AGENT_DISABLE_PLUGINS` takes: lowercase, the library's package name where there is one. */
  readonly name: string;
  /** One line for the README: what the user sees in OAP. */
  readonly description: string;
  /** Libraries it covers; empty for what Node.js itself provides (http, fetch). */
  readonly modules: readonly SupportedModule[];
  /** Subscribes or hooks; returns the undo, which removes every subscription and patch it made. */
  enable(context: InstrumentationContext): () => void;
}
