import { type Instrumentation, type InstrumentationContext } from '@windsock/core';
import { HookGuard } from '../hooks/hook-guard.js';
import { patchLoadedCopies } from '../hooks/loaded-copies.js';
import { hookModules, type ModulePatch } from '../hooks/module-hook.js';
import { patchLogger } from './patch-logger.js';

/** winston 3: every logger it creates, reported with trace correlation, without the application handing it over. */
export const winstonInstrumentation: Instrumentation = {
  name: 'winston',
  description:
    'winston 3 lines reported as logs with the active trace context, and `traceId`/`segmentId`/`spanId` added to your own output, for every logger created after the agent started',
  modules: [{ name: 'winston', versions: '>=3.0.0 <4' }],
  enable(context: InstrumentationContext): () => void {
    const guard = new HookGuard('winston', context.diagnostics);
    const loggers = new Set<WeakRef<object>>();
    // The Logger class's own file: winston requires it before creating its default logger, so that one is seen too,
    // and internal files are required even when the application imports winston as an ES module.
    const logger: ModulePatch = {
      module: winstonInstrumentation.modules[0]!,
      file: 'lib/winston/logger.js',
      patch: (exports) => patchLogger(exports, context.logger, guard, loggers),
    };
    const unhook = hookModules('winston', context, [logger]);
    const unpatchLoaded = patchLoadedCopies('winston', context, [
      { patch: logger, file: 'lib/winston/logger.js' },
    ]);
    return () => {
      guard.on = false;
      unpatchLoaded();
      unhook();
    };
  },
};
