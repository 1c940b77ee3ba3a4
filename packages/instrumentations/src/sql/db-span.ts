import { type InstrumentationSettings, type Span, type Tracer } from '@windsock/core';
import { SpanLayer } from '@windsock/protocol';
import { maskLiterals } from './mask-literals.js';
import { recordedParameters } from './parameters.js';
import { loggableError } from './redact.js';
import { recordedText } from './statement.js';

/** One call to a database, as its exit span describes it. */
export interface DbCall {
  /** The span's operation name (`PostgreSQL/query`). */
  readonly operation: string;
  /** `host:port` (OAP names the virtual database after it). */
  readonly peer: string;
  readonly componentId: number;
  /** `db.type`: OAP's slow-statement threshold key. */
  readonly dbType: string;
  /** `db.instance`: the database name. */
  readonly instance?: unknown;
  /** `db.statement`, before masking and capping. */
  readonly statement?: unknown;
  /** The call's parameters, recorded only when `sqlTraceParameters` is on. */
  readonly parameters?: unknown;
  /**
   * The statement has the parameters interpolated into it (mysql2's `query` formats them client side): its literals
   * are masked unless parameters are to be recorded.
   */
  readonly interpolated?: boolean;
}

// Masking looks at a little more than is kept, so a literal cut by the cap is still seen as one.
const MASK_MARGIN = 256;

/**
 * Starts the exit span of one database call, layer Database, with OAP's `db.*` tags. Where tracing is suppressed
 * (the agent's own calls) the tracer hands back an ended no-op span: callers check `span.ended` and do nothing more.
 * An unsampled span gets no tags (they would be dropped), so it costs no formatting.
 */
export function startDbSpan(tracer: Tracer, settings: InstrumentationSettings, call: DbCall): Span {
  const span = tracer.startExitSpan(call.operation, call.peer, {
    layer: SpanLayer.Database,
    componentId: call.componentId,
  });
  if (span.ended || !span.sampled) return span;
  span.tag('db.type', call.dbType);
  if (typeof call.instance === 'string' && call.instance !== '')
    span.tag('db.instance', call.instance);
  let statement = call.statement;
  if (call.interpolated === true && !settings.sqlTraceParameters && typeof statement === 'string') {
    const room = settings.sqlStatementMaxLength + MASK_MARGIN;
    statement = maskLiterals(statement.length > room ? statement.slice(0, room) : statement);
  }
  const text = recordedText(statement, settings.sqlStatementMaxLength);
  if (text !== undefined) span.tag('db.statement', text);
  if (settings.sqlTraceParameters) {
    const parameters = recordedParameters(call.parameters, settings.sqlParametersMaxLength);
    if (parameters !== undefined) span.tag('db.sql.parameters', parameters);
  }
  return span;
}

/** Ends a database span, failed with `error` (logged without credentials) when there is one. Never throws. */
export function endDbSpan(span: Span, error?: unknown): void {
  if (span.ended) return;
  try {
    if (error !== undefined && error !== null) span.error(loggableError(error));
  } catch {
    // An error object with throwing getters: the span still ends, marked failed.
    span.error('error');
  }
  span.end();
}
