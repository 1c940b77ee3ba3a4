// What the OpenTelemetry bridge's tests share: the bridge enabled over a recording tracer with the real
// `@opentelemetry/api`, and ways to find spans in what was reported.
import { type Server } from 'node:http';
import { createRequire } from 'node:module';
import { type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type * as Otel from '@opentelemetry/api';
import { type SegmentObject, type SpanObject } from '@windsock/protocol';
import { afterAll, beforeAll, beforeEach, expect, vi } from 'vitest';
import { opentelemetryInstrumentation } from '../../src/opentelemetry/index.js';
import { tracingHarness, type TracingHarness } from './tracing.js';

const require = createRequire(import.meta.url);

export interface BridgeTest {
  harness: TracingHarness;
  api: typeof Otel;
  otelTracer: Otel.Tracer;
  undo: () => void;
}

/** Enables the bridge, then loads the API (as an application would after `windsock/register`). */
export function enableBridge(): BridgeTest {
  const harness = tracingHarness({ sqlStatementMaxLength: 40 });
  const undo = opentelemetryInstrumentation.enable(harness.context);
  const api = require('@opentelemetry/api') as typeof Otel;
  return { harness, undo, api, otelTracer: api.trace.getTracer('bridge-test', '1.0.0') };
}

/** The one segment finished since the sink was cleared. */
export function oneSegment(harness: TracingHarness): Promise<SegmentObject> {
  return vi.waitFor(() => {
    expect(harness.sink.segments).toHaveLength(1);
    return harness.sink.segments[0]!;
  });
}

export function byName(segment: SegmentObject, name: string): SpanObject {
  const span = segment.spans.find((s) => s.operationName === name);
  if (span === undefined)
    throw new Error(`no span ${name} in ${segment.spans.map((s) => s.operationName).join(', ')}`);
  return span;
}

export function logged(span: SpanObject, key: string): string | undefined {
  return span.logs.flatMap((l) => l.data).find((d) => d.key === key)?.value;
}

export function listen(server: Server): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    ),
  );
}

/** A fixture application of the bridge's (test/fixtures/opentelemetry). */
export const fixture = (name: string): string =>
  fileURLToPath(new URL(`../fixtures/opentelemetry/${name}`, import.meta.url));

export interface BridgeSuite extends BridgeTest {
  /** The one segment finished since the last test started. */
  oneSegment(): Promise<SegmentObject>;
}

/**
 * The bridge enabled for a `describe` block: enabled before its tests, undone after them, the sink cleared before
 * each. The fields are set once the block's tests run.
 */
export function useBridge(): BridgeSuite {
  const suite = {} as BridgeSuite;
  beforeAll(() => {
    Object.assign(suite, enableBridge());
  });
  afterAll(() => suite.undo());
  beforeEach(() => suite.harness.sink.clear());
  suite.oneSegment = () => oneSegment(suite.harness);
  return suite;
}
