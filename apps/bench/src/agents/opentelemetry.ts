import { type Context } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import {
  BatchSpanProcessor,
  type ReadableSpan,
  type Span,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { type AgentHandle, settleWithin, type StartAgent } from './agent.js';

/** Counts ended spans: what the tracer produced, before the batch processor can drop any. */
class CountingSpanProcessor implements SpanProcessor {
  ended = 0;
  onStart(_span: Span, _parentContext: Context): void {}
  onEnd(_span: ReadableSpan): void {
    this.ended += 1;
  }
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * OpenTelemetry JS as its getting-started guide sets it up for traces: the Node tracer provider, the http
 * instrumentation, and a BatchSpanProcessor around the OTLP/gRPC exporter, every option at its default.
 */
export const start: StartAgent = ({ serviceName, collector }): AgentHandle => {
  process.env.OTEL_SERVICE_NAME = serviceName;
  const counter = new CountingSpanProcessor();
  const batch = new BatchSpanProcessor(new OTLPTraceExporter({ url: `http://${collector}` }));
  const provider = new NodeTracerProvider({ spanProcessors: [counter, batch] });
  provider.register();
  registerInstrumentations({ instrumentations: [new HttpInstrumentation()] });
  return {
    produced: () => counter.ended,
    // The processor's queue is private; reading it is the only way to see OpenTelemetry's backlog.
    backlog: () => (batch as unknown as { _finishedSpans?: unknown[] })._finishedSpans?.length,
    flush: (timeoutMs) => settleWithin(provider.forceFlush(), timeoutMs),
    shutdown: (timeoutMs) => settleWithin(provider.shutdown(), timeoutMs),
  };
};
