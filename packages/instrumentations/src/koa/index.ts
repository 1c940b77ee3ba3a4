import { type Instrumentation, type InstrumentationContext } from '@windsock/core';
import { hookModules, type ModulePatch } from '../hooks/module-hook.js';
import { patchApplication } from './application.js';
import { HookGuard } from '../hooks/hook-guard.js';
import { patchLoadedCopies } from '../hooks/loaded-copies.js';
import { patchRouter } from './router.js';

/** Koa 2 and @koa/router: the request's HTTP entry span named after its route template, with Koa's component. */
export const koaInstrumentation: Instrumentation = {
  name: 'koa',
  description:
    'Koa requests as HTTP entry endpoints named by route template (`GET:/users/:id`, `/<unmatched>` when no route matched), component Koa (4004); errors Koa handles logged on the span',
  modules: [
    { name: 'koa', versions: '>=2.0.0 <3' },
    { name: '@koa/router', versions: '>=15.0.0 <16' },
  ],
  enable(context: InstrumentationContext): () => void {
    const guard = new HookGuard('koa', context.diagnostics);
    const { tracer } = context;
    const routers = { patched: false };
    const [koa, router] = koaInstrumentation.modules;
    const application: ModulePatch = {
      module: koa!,
      patch: (exports) => patchApplication(exports, tracer, guard, routers),
    };
    const routerPatch: ModulePatch = {
      module: router!,
      patch: (exports) => patchRouter(exports, tracer, guard, routers),
    };
    const unhook = hookModules('koa', context, [application, routerPatch]);
    const unpatchLoaded = patchLoadedCopies('koa', context, [
      { patch: application, file: 'lib/application.js' },
      { patch: routerPatch, file: 'dist/index.js' },
    ]);
    return () => {
      guard.on = false;
      unpatchLoaded();
      unhook();
    };
  },
};
