import { type DiagnosticLogger } from '@windsock/core';

/**
 * Whether the Koa hooks still do their work. Off after `disable()` (a wrapper somebody else wrapped over stays in
 * place, so it must check) or after agent code in a hook threw: that costs one diagnostic line and the hooks then
 * pass every call straight through, rather than risk failing the same way on each request.
 */
export class HookGuard {
  on = true;

  constructor(
    private readonly name: string,
    private readonly diagnostics: DiagnosticLogger,
  ) {}

  fail(error: unknown): void {
    if (!this.on) return;
    this.on = false;
    try {
      this.diagnostics.warn(
        `${this.name}:hook`,
        `${this.name} instrumentation turned itself off after an internal error: ${String(error)}`,
      );
    } catch {
      // The diagnostic line is best effort; turning off is what matters.
    }
  }
}

/** Whether a copy of @koa/router was hooked: its hook then names every route it matches, as it matches. */
export interface RouterHooks {
  patched: boolean;
}
