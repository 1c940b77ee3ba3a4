import { type InstrumentationContext } from '@windsock/core';
import type * as otel from '@opentelemetry/api';
import { wrapMethod } from '../hooks/wrap.js';
import { BridgeTracerProvider } from './tracer-provider.js';

/** The parts of a loaded `@opentelemetry/api` copy the bridge uses. */
export interface OtelApi {
  readonly trace: Pick<otel.TraceAPI, 'setGlobalTracerProvider' | 'disable'>;
  readonly context: Pick<otel.ContextAPI, 'setGlobalContextManager' | 'disable'>;
}

/**
 * Makes windsock the global OpenTelemetry provider and context manager, once per process, unless the application
 * registered its own first; and steps back when the application registers its own later. The API keeps one global
 * per major version for all its loaded copies, so registering through any copy serves them all, and each copy's
 * setters are wrapped so that a registration through any of them is seen.
 */
export class GlobalRegistration {
  private provider: BridgeTracerProvider | undefined;
  private attempted = false;
  private ownsProvider = false;
  private ownsContextManager = false;

  constructor(private readonly context: InstrumentationContext) {}

  /** Called for each loaded copy of the API; returns the undo for that copy. */
  adopt(api: OtelApi): () => void {
    const undos = [
      wrapMethod(
        api.trace,
        'setGlobalTracerProvider',
        (original) =>
          function setGlobalTracerProvider(this: unknown, ...args: unknown[]) {
            registration.beforeForeignProvider(api, args[0]);
            return original.apply(this, args);
          },
      ),
      wrapMethod(
        api.context,
        'setGlobalContextManager',
        (original) =>
          function setGlobalContextManager(this: unknown, ...args: unknown[]) {
            registration.beforeForeignContextManager(api, args[0]);
            return original.apply(this, args);
          },
      ),
    ];
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the wrappers keep the API's `this`
    const registration = this;
    if (!this.attempted) {
      this.attempted = true;
      this.register(api);
    }
    return () => {
      for (const undo of undos) undo();
      if (this.ownsContextManager) api.context.disable();
      if (this.ownsProvider) api.trace.disable();
      this.ownsProvider = false;
      this.ownsContextManager = false;
    };
  }

  private register(api: OtelApi): void {
    const { tracer, settings, diagnostics } = this.context;
    const provider = new BridgeTracerProvider(tracer, settings);
    this.provider = provider;
    if (!api.trace.setGlobalTracerProvider(provider)) {
      diagnostics.info(
        'opentelemetry:provider',
        'an OpenTelemetry TracerProvider is already registered: windsock leaves it in place and does not bridge its spans',
      );
      return;
    }
    this.ownsProvider = true;
    if (api.context.setGlobalContextManager(provider.contextManager)) {
      this.ownsContextManager = true;
    } else {
      diagnostics.info(
        'opentelemetry:context-manager',
        'an OpenTelemetry ContextManager is already registered: OpenTelemetry spans are bridged, but windsock spans started inside them do not see them as parents',
      );
    }
  }

  private beforeForeignProvider(api: OtelApi, provider: unknown): void {
    if (!this.ownsProvider || provider === this.provider || this.provider === undefined) return;
    this.ownsProvider = false;
    this.provider.replacement = provider as otel.TracerProvider;
    api.trace.disable();
    this.context.diagnostics.info(
      'opentelemetry:stand-back',
      "the application registered its own OpenTelemetry TracerProvider: windsock stands back, OpenTelemetry spans go to the application's provider",
    );
  }

  private beforeForeignContextManager(api: OtelApi, manager: unknown): void {
    if (!this.ownsContextManager || manager === this.provider?.contextManager) return;
    this.ownsContextManager = false;
    api.context.disable();
  }
}
