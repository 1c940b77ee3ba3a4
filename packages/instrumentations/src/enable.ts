import { type Instrumentation, type InstrumentationContext } from '@windsock/core';
import { registerEsmLoader } from './hooks/esm-loader.js';

/**
 * Enables each instrumentation not named in `disabled`, after registering the ES module loader for the packages
 * they cover. One that throws while enabling is reported in one diagnostic line and skipped. Returns the undo, which
 * disables them last-in first-out.
 */
export function enableInstrumentations(
  instrumentations: readonly Instrumentation[],
  context: InstrumentationContext,
  disabled: readonly string[] = [],
): () => void {
  const chosen = instrumentations.filter((i) => !disabled.includes(i.name));
  const modules = chosen.flatMap((i) => i.modules.map((m) => m.name));
  if (modules.length > 0 && !registerEsmLoader(modules)) {
    context.diagnostics.info(
      'esm-loader',
      'no ES module loader hook could be registered: libraries the application imports as ES modules are not instrumented',
    );
  }
  const undos: (() => void)[] = [];
  for (const instrumentation of chosen) {
    try {
      undos.push(instrumentation.enable(context));
    } catch (error) {
      context.diagnostics.warn(
        `${instrumentation.name}:enable`,
        `${instrumentation.name} instrumentation could not be enabled: ${String(error)}`,
      );
    }
  }
  return () => {
    for (const undo of undos.reverse()) {
      try {
        undo();
      } catch {
        // Best effort: shutting down must go on.
      }
    }
  };
}
