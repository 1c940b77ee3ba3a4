// What Node.js itself provides, on the same contract as the library instrumentations: the facade enables one list
// and `disablePlugins` names each of them. They subscribe to `node:diagnostics_channel` only, so they patch nothing.
import { type Instrumentation, type InstrumentationContext } from './contract.js';
import { HttpInstrumentation, type InstrumentationName } from './http-instrumentation.js';

function channelInstrumentation(name: InstrumentationName, description: string): Instrumentation {
  return {
    name,
    description,
    modules: [],
    enable(context: InstrumentationContext): () => void {
      const http = new HttpInstrumentation(context.tracer, [name]);
      http.enable();
      return () => http.disable();
    },
  };
}

export const httpServerInstrumentation = channelInstrumentation(
  'http-server',
  'Incoming `http`/`https` requests as entry spans (`GET:/path`, component HttpServer 49), `sw8` read',
);

export const httpClientInstrumentation = channelInstrumentation(
  'http-client',
  'Outgoing `http`/`https` requests as exit spans (component Http 2), `sw8` injected',
);

export const fetchInstrumentation = channelInstrumentation(
  'fetch',
  'Global `fetch` (undici) requests as exit spans (component Http 2), `sw8` injected',
);

/** Node's own, in the order they are enabled: servers before clients, so a request's entry span exists first. */
export const NODE_INSTRUMENTATIONS: readonly Instrumentation[] = [
  httpServerInstrumentation,
  httpClientInstrumentation,
  fetchInstrumentation,
];
