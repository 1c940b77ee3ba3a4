import { credentials, Client, Metadata } from '@grpc/grpc-js';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { OTLP_TRACE_EXPORT_PATH, type OtlpSink, startOtlpSink } from './otlp-sink.js';

describe('OTLP sink', () => {
  let sink: OtlpSink | undefined;
  let provider: BasicTracerProvider | undefined;

  afterEach(async () => {
    await provider?.shutdown().catch(() => {});
    await sink?.stop();
    provider = undefined;
    sink = undefined;
  });

  function tracerTo(address: string) {
    const exporter = new OTLPTraceExporter({ url: `http://${address}` });
    provider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(exporter)] });
    return provider.getTracer('bench-test');
  }

  it('counts the spans a real OpenTelemetry exporter sends', async () => {
    sink = await startOtlpSink();
    const tracer = tracerTo(sink.address);
    for (let index = 0; index < 37; index += 1) {
      const parent = tracer.startSpan(`request ${index}`);
      tracer.startSpan('child').end();
      parent.end();
    }
    await provider!.forceFlush();
    expect(sink.spans()).toBe(74);
    expect(sink.exports()).toBeGreaterThan(0);
  });

  it('delivers nothing while refusing, and counts again on the same port once up', async () => {
    sink = await startOtlpSink();
    const port = sink.port;
    await sink.setState('refused');
    const tracer = tracerTo(sink.address);
    tracer.startSpan('lost').end();
    const outcome = await provider!.forceFlush().then(
      () => 'exported',
      () => 'failed',
    );
    expect(outcome).toBe('failed');
    expect(sink.spans()).toBe(0);

    await sink.setState('up');
    expect(sink.port).toBe(port);
    // The exporter's channel is in reconnect backoff after the refusal: send until one export gets through.
    let delivered = 0;
    for (let attempt = 0; attempt < 50 && sink.spans() === 0; attempt += 1) {
      tracer.startSpan('delivered').end();
      if (
        await provider!.forceFlush().then(
          () => true,
          () => false,
        )
      )
        delivered += 1;
      else await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(delivered).toBe(1);
    expect(sink.spans()).toBe(1);
  });

  it('holds calls unanswered in blackhole state', async () => {
    sink = await startOtlpSink();
    await sink.setState('blackhole');
    const client = new Client(sink.address, credentials.createInsecure());
    try {
      const outcome = await new Promise<string>((resolve) => {
        client.makeUnaryRequest(
          OTLP_TRACE_EXPORT_PATH,
          (bytes: Buffer) => bytes,
          (bytes: Buffer) => bytes,
          Buffer.alloc(0),
          new Metadata(),
          { deadline: Date.now() + 500 },
          (error) => resolve(error ? String(error.code) : 'answered'),
        );
      });
      expect(outcome).toBe('4'); // DEADLINE_EXCEEDED
      expect(sink.exports()).toBe(0);
    } finally {
      client.close();
    }
  });

  it('rejects a malformed request without counting it', async () => {
    sink = await startOtlpSink();
    const client = new Client(sink.address, credentials.createInsecure());
    try {
      const code = await new Promise<number | undefined>((resolve) => {
        client.makeUnaryRequest(
          OTLP_TRACE_EXPORT_PATH,
          (bytes: Buffer) => bytes,
          (bytes: Buffer) => bytes,
          Buffer.from([0x0a, 0x05, 0x01]), // field 1 claims 5 bytes, has 1
          new Metadata(),
          (error) => resolve(error?.code),
        );
      });
      expect(code).toBe(3); // INVALID_ARGUMENT
      expect(sink.spans()).toBe(0);
    } finally {
      client.close();
    }
  });
});
