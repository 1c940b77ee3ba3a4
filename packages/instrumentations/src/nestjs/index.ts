import { type Instrumentation, type InstrumentationContext } from '@windsock/core';
import { HookGuard } from '../hooks/hook-guard.js';
import { patchLoadedCopies } from '../hooks/loaded-copies.js';
import { hookModules, type ModulePatch } from '../hooks/module-hook.js';
import { patchExceptionFilter } from './exception-filter.js';

/** NestJS: exceptions its exception filter answers with a 5xx, logged on the request's entry span. */
export const nestjsInstrumentation: Instrumentation = {
  name: 'nestjs',
  description:
    'NestJS (with the `express` plugin naming its routes): an exception a handler throws or rejects with that Nest answers with a 5xx logged on the request entry span (`error.kind`, `message`, `stack`); a 4xx `HttpException` is not an error',
  modules: [{ name: '@nestjs/core', versions: '>=12.0.0 <13' }],
  enable(context: InstrumentationContext): () => void {
    const guard = new HookGuard('nestjs', context.diagnostics);
    const patch: ModulePatch = {
      module: nestjsInstrumentation.modules[0]!,
      patch: (exports) => patchExceptionFilter(exports, context.tracer, guard),
    };
    const unhook = hookModules('nestjs', context, [patch]);
    // A copy the application `require`d before the agent started (Node's require of an ES module caches it).
    const unpatchLoaded = patchLoadedCopies('nestjs', context, [{ patch, file: 'index.js' }]);
    return () => {
      guard.on = false;
      unpatchLoaded();
      unhook();
    };
  },
};
