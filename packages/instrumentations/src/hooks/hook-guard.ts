import { type DiagnosticLogger } from '@windsock/core';

/**
 * Whether an instrumentation's hooks still do their work. Off after its undo (a wrapper somebody else installed
 * over ours keeps ours in the call chain, so every hook checks) or after the agent's own code in a hook threw: one
 * diagnostic line, then every call passes straight through rather than fail the same way on each request.
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
