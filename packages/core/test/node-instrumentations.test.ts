import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  createDiagnosticLogger,
  createLogger,
  DEFAULT_INSTRUMENTATION_SETTINGS,
  httpClientInstrumentation,
  type InstrumentationContext,
  NODE_INSTRUMENTATIONS,
} from '../src/index.js';
import { httpGet, type RunningServer, startServer, tracerWithSink, WAIT } from './helpers.js';

const { tracer, sink } = tracerWithSink();
const context: InstrumentationContext = {
  tracer,
  logger: createLogger({ tracer, sink, serviceName: 'svc', serviceInstance: 'inst' }),
  diagnostics: createDiagnosticLogger({ write: () => {} }),
  settings: DEFAULT_INSTRUMENTATION_SETTINGS,
};
let server: RunningServer;
const received: (string | undefined)[] = [];

beforeAll(async () => {
  server = await startServer((req, res) => {
    received.push(req.headers.sw8 as string | undefined);
    res.end();
  });
});

afterAll(() => server.close());

describe("Node's own instrumentations on the contract", () => {
  it('are listed servers first, with the names disablePlugins takes and no module to hook', () => {
    expect(NODE_INSTRUMENTATIONS.map((i) => i.name)).toEqual([
      'http-server',
      'http-client',
      'fetch',
    ]);
    for (const instrumentation of NODE_INSTRUMENTATIONS)
      expect(instrumentation.modules).toEqual([]);
  });

  it('enables one side alone, and its undo takes it off again', async () => {
    const undo = httpClientInstrumentation.enable(context);
    const job = tracer.startEntrySpan('job');
    await tracer.withSpan(job, () => httpGet(`${server.url}/traced`));
    job.end();
    await vi.waitFor(() => expect(sink.segments).toHaveLength(1), WAIT);
    // The client call is an exit span carrying sw8; the server side, not enabled, records nothing.
    expect(sink.segments[0]!.spans.map((s) => s.operationName)).toEqual(['job', '/traced']);
    expect(received[0]).toMatch(/^1-/);

    undo();
    const after = tracer.startEntrySpan('after');
    await tracer.withSpan(after, () => httpGet(`${server.url}/not-traced`));
    after.end();
    await vi.waitFor(() => expect(sink.segments).toHaveLength(2), WAIT);
    expect(sink.segments[1]!.spans.map((s) => s.operationName)).toEqual(['after']);
    expect(received[1]).toBeUndefined();
  });
});
