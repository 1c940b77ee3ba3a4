import { type DiagnosticLogger } from '@windsock/core';

/**
 * Whether the hooks still do their work. Undoing the instrumentation turns it off (a wrapper someone installed over
 * ours keeps ours in the call chain, which then only passes calls on), and so does the first failure of the agent's
 * own work: one diagnostic line, then the application runs as if the agent were not there.
 */
export class Guard {
  on = true;

  constructor(
    private readonly diagnostics: DiagnosticLogger,
    private readonly name: string,
  ) {}

  fail(error: unknown): void {
    if (!this.on) return;
    this.on = false;
    try {
      this.diagnostics.warn(
        `${this.name}:hook`,
        `${this.name} instrumentation failed and turned itself off: ${String(error)}`,
      );
    } catch {
      // The diagnostic is a courtesy; the application must not see it fail.
    }
  }
}
