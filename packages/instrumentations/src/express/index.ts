import {
  type Instrumentation,
  type InstrumentationContext,
  type SupportedModule,
  type Tracer,
} from '@windsock/core';
import semver from 'semver';
import { HookGuard } from '../hooks/hook-guard.js';
import { type LoadedPatch, patchLoadedCopies } from '../hooks/loaded-copies.js';
import { hookModules, type ModulePatch } from '../hooks/module-hook.js';
import { patchLayer, patchRouter } from './patch.js';

const EXPRESS: SupportedModule = { name: 'express', versions: '>=4 <6' };
/** Express 5 routes through the `router` package; Express 4 has its router inside (`lib/router/`). */
const ROUTER: SupportedModule = { name: 'router', versions: '>=2 <3' };

export interface ExpressModules {
  readonly express: SupportedModule;
  readonly router: SupportedModule;
}

export const expressInstrumentation: Instrumentation = {
  name: 'express',
  description:
    'Express 4 and 5 (and NestJS on Express): the HTTP entry span named after the matched route template (`GET:/api/users/:id`, mounted routers included; `METHOD:/<unmatched>` when no route matched), component Express, errors passed to `next` or thrown by handlers logged on it',
  modules: [EXPRESS, ROUTER],
  enable: (context) => enableExpress(context),
};

/**
 * Hooks the routers of both Express majors, for copies loaded from now on and copies already loaded. `modules` is
 * the supported range (the tests narrow it to check the out-of-range path with a real package); `guard` switches
 * the hooks' work (the bench turns it off and on without patching again). Returns the undo.
 */
export function enableExpress(
  context: InstrumentationContext,
  modules: ExpressModules = { express: EXPRESS, router: ROUTER },
  guard: HookGuard = new HookGuard('express', context.diagnostics),
): () => void {
  const { tracer } = context;
  // `late`: for copies already loaded, whose routers may have been built before these patches.
  const patches = (late: boolean): LoadedPatch[] => [
    {
      file: 'lib/router/index.js',
      patch: {
        module: modules.express,
        file: 'lib/router/index.js',
        // Express 4's router module exports the prototype its routers inherit from.
        patch: (exports) => patchRouter(exports as object, tracer, guard, late),
      },
    },
    {
      file: 'lib/router/layer.js',
      patch: layerPatch(modules.express, 'lib/router/layer.js', tracer, guard),
    },
    {
      file: 'index.js',
      patch: {
        module: modules.router,
        patch: (exports) => patchRouter(prototypeOf(exports), tracer, guard, late),
      },
    },
    { file: 'lib/layer.js', patch: layerPatch(modules.router, 'lib/layer.js', tracer, guard) },
  ];
  const unhook = hookModules(
    'express',
    context,
    patches(false).map((p) => p.patch),
  );
  const unpatchLoaded = patchLoadedCopies('express', context, patches(true));
  return () => {
    guard.on = false;
    unpatchLoaded();
    unhook();
  };
}

/**
 * The layer file's patch accepts any version and checks the range itself, without a diagnostic: the router file
 * of the same copy already wrote the one line an unsupported version costs, and the copy is left entirely alone.
 */
function layerPatch(
  module: SupportedModule,
  file: string,
  tracer: Tracer,
  guard: HookGuard,
): ModulePatch {
  return {
    module: { name: module.name, versions: '*' },
    file,
    patch: (exports, version) => {
      if (!semver.satisfies(version, module.versions, { includePrerelease: true })) return noop;
      return patchLayer(prototypeOf(exports), tracer, guard);
    },
  };
}

function prototypeOf(exports: unknown): object {
  // The router package's `Router.prototype` is itself a function (routers are callable).
  const proto = (exports as { prototype?: unknown }).prototype;
  if ((typeof proto !== 'object' && typeof proto !== 'function') || proto === null)
    throw new TypeError('no prototype to patch');
  return proto;
}

function noop(): void {}
