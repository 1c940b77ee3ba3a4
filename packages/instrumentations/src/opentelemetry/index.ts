import { type Instrumentation, type InstrumentationContext } from '@windsock/core';
import { patchLoadedCopies } from '../hooks/loaded-copies.js';
import { hookModules, type ModulePatch } from '../hooks/module-hook.js';
import { GlobalRegistration, type OtelApi } from './global-registration.js';

/**
 * The OpenTelemetry API bridge: spans libraries and application code start through `@opentelemetry/api` become
 * windsock spans in windsock's context. Nothing runs until the API is loaded: the module hook is the only cost.
 */
export const opentelemetryInstrumentation: Instrumentation = {
  name: 'opentelemetry',
  description:
    'Spans emitted through `@opentelemetry/api` (libraries such as @fastify/otel, application code) as windsock spans in the same segments and context: local, exit (CLIENT/PRODUCER with `server.address`) or entry (SERVER/CONSUMER outside a trace); `db.*`, `messaging.*`, `rpc.*`, `http.*` attributes to OAP layers and tags; registered only when the application has no OpenTelemetry provider of its own',
  modules: [{ name: '@opentelemetry/api', versions: '>=1.3.0 <2' }],
  enable(context: InstrumentationContext): () => void {
    const registration = new GlobalRegistration(context);
    const api: ModulePatch = {
      module: { name: '@opentelemetry/api', versions: '>=1.3.0 <2' },
      patch: (exports) => registration.adopt(exports as OtelApi),
    };
    const unhook = hookModules('opentelemetry', context, [api]);
    // A copy the application loaded before `start()` (also through `import`: the API's ES module entry is its
    // CommonJS build) is bridged at once; libraries that already hold its tracers then report through windsock.
    const unpatchLoaded = patchLoadedCopies('opentelemetry', context, [
      { patch: api, file: 'build/src/index.js' },
    ]);
    return () => {
      unpatchLoaded();
      unhook();
    };
  },
};
