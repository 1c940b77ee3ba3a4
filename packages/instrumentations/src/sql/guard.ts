import { type DiagnosticLogger } from '@windsock/core';

/**
 * Whether an instrumentation's hooks still do their work. The first failure of the agent's own work (a library
 * internal that changed shape, a bug) costs one diagnostic line and turns the hooks into pass-throughs, so the
 * application then runs as if the agent were not there. Undoing the instrumentation turns them off too (a wrapper
 * someone installed over ours keeps ours in the call chain).
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
