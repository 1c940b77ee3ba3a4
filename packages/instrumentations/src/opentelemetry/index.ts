import { type Instrumentation, type InstrumentationContext } from '@windsock/core';
import { hookModules } from '../hooks/module-hook.js';
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
    return hookModules('opentelemetry', context, [
      {
        module: { name: '@opentelemetry/api', versions: '>=1.3.0 <2' },
        patch: (exports) => registration.adopt(exports as OtelApi),
      },
    ]);
  },
};
