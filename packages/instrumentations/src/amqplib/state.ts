import { type InstrumentationContext, type Tracer } from '@windsock/core';

/**
 * What every wrapper reads: the tracer, and whether the instrumentation is on. Wrappers stay installed where the
 * library keeps its own reference to them (`channel_api.js` holds `connect`, the channel models hold
 * `acceptMessage`), so after the undo, or after a hook failed, they pass every call straight through.
 */
export class AmqpState {
  active = true;
  readonly tracer: Tracer;

  constructor(private readonly context: InstrumentationContext) {
    this.tracer = context.tracer;
  }

  /** A hook failed: one diagnostic line, then the instrumentation stays off for this process. */
  fail(error: unknown): void {
    if (!this.active) return;
    this.active = false;
    try {
      this.context.diagnostics.warn(
        'amqplib:hook',
        `amqplib instrumentation failed and turned itself off: ${String(error)}`,
      );
    } catch {
      // The diagnostic logger must not throw; if it does, the application must not see it.
    }
  }
}
