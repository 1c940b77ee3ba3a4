import { ChannelSubscriptions } from './channels.js';
import { observeClientRequestCreated } from './client-request-created.js';
import { FetchInstrumentation } from './fetch.js';
import { HttpClientInstrumentation } from './http-client.js';
import { HttpServerInstrumentation } from './http-server.js';
import { type InstrumentedTracer } from './instrumented-tracer.js';

export type InstrumentationName = 'http-server' | 'http-client' | 'fetch';

/** The HTTP instrumentations of one tracer, enabled and disabled as a unit. */
export class HttpInstrumentation {
  private readonly subscriptions = new ChannelSubscriptions();
  private stopCreatedObserver: (() => void) | undefined;

  constructor(
    private readonly tracer: InstrumentedTracer,
    private readonly names: readonly InstrumentationName[],
  ) {}

  enable(): void {
    const subscriptions = this.subscriptions;
    if (this.names.includes('http-server')) {
      const server = new HttpServerInstrumentation(this.tracer);
      subscriptions.subscribe('http.server.request.start', server.onRequestStart);
      subscriptions.subscribe('http.server.response.finish', server.onResponseFinish);
    }
    if (this.names.includes('http-client')) {
      const client = new HttpClientInstrumentation(this.tracer);
      this.stopCreatedObserver = observeClientRequestCreated(
        subscriptions,
        client.onRequestCreated,
      );
      subscriptions.subscribe('http.client.request.start', client.onRequestStart);
      subscriptions.subscribe('http.client.response.finish', client.onResponseFinish);
      subscriptions.subscribe('http.client.request.error', client.onRequestError);
    }
    if (this.names.includes('fetch')) {
      const fetch = new FetchInstrumentation(this.tracer);
      subscriptions.subscribe('undici:request:create', fetch.onRequestCreate);
      subscriptions.subscribe('undici:request:headers', fetch.onResponseHeaders);
      subscriptions.subscribe('undici:request:trailers', fetch.onResponseEnd);
      subscriptions.subscribe('undici:request:error', fetch.onRequestError);
    }
  }

  disable(): void {
    this.subscriptions.unsubscribeAll();
    this.stopCreatedObserver?.();
    this.stopCreatedObserver = undefined;
  }
}
