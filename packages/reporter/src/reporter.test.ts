// The reporter built from plain options, against a real collector on loopback: what the facade relies on.
import { startCollector, fault, type Collector } from '@windsock/collector';
import { createDiagnosticLogger, createMeterRegistry } from '@windsock/core';
import type { LogData } from '@windsock/protocol';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { OptionsError, Reporter, type ReporterOptions } from './index.js';

let collector: Collector | undefined;
let reporter: Reporter | undefined;

afterEach(async () => {
  await reporter?.close(1_000);
  await collector?.stop();
  reporter = collector = undefined;
});

function options(overrides: Partial<ReporterOptions> = {}): ReporterOptions {
  return {
    serviceName: 'reporter-test',
    serviceInstance: 'one',
    agentVersion: '0.0.0-test',
    backends: [collector?.address ?? '127.0.0.1:1'],
    reportTimeoutMs: 5_000,
    retry: { maxAttempts: 0, initialDelayMs: 100, maxDelayMs: 1_000 },
    breakerThreshold: 1,
    probe: { minDelayMs: 200, maxDelayMs: 1_000 },
    queue: { maxItems: 1_000, maxBytes: 1024 * 1024, maxBatchItems: 100, lingerMs: 5 },
    heartbeatIntervalMs: 20_000,
    cdsIntervalMs: 0,
    reportLogs: true,
    diagnostics: createDiagnosticLogger({ level: 'silent' }),
    ...overrides,
  };
}

function log(text: string): LogData {
  return {
    timestamp: 1_700_000_000_000,
    service: 'reporter-test',
    serviceInstance: 'one',
    endpoint: '',
    body: { type: 'text', text: { text } },
    traceContext: undefined,
    tags: undefined,
    layer: '',
  };
}

describe('Reporter', () => {
  it('delivers what is put in its sink, with its health as self-meters, and status() accounts for it', async () => {
    collector = await startCollector({ port: 0 });
    reporter = new Reporter(options());
    const meter = createMeterRegistry({
      serviceName: 'reporter-test',
      serviceInstance: 'one',
      sink: reporter.sink,
      runtimeMeters: false,
    });
    reporter.registerSelfMeters(meter);
    for (let i = 0; i < 3; i++) reporter.sink.log(log(`line ${i}`));
    expect(await reporter.flush(5_000)).toEqual({ done: true, remaining: 0 });
    meter.report();
    expect(await reporter.flush(5_000)).toEqual({ done: true, remaining: 0 });

    expect(collector.logs().map((l) => l.body?.text?.text)).toEqual(['line 0', 'line 1', 'line 2']);
    const delivered = collector
      .meters()
      .find(
        (m) =>
          m.singleValue?.name === 'windsock_agent_delivered' &&
          m.singleValue.labels.some((l) => l.name === 'pipeline' && l.value === 'logs'),
      );
    expect(delivered?.singleValue?.value).toBe(3);
    const status = reporter.status();
    expect(status.state).toBe('connected');
    expect(status.backends).toEqual([
      expect.objectContaining({
        address: collector.address,
        breaker: 'closed',
        consecutiveFailures: 0,
      }),
    ]);
    expect(status.pipelines.logs).toMatchObject({
      produced: 3,
      delivered: 3,
      queued: 0,
      inFlight: 0,
    });
    expect(status.pipelines.meters.delivered).toBe(collector.counts().meters);
  });

  it('does not report log records when reportLogs is false', async () => {
    collector = await startCollector({ port: 0 });
    reporter = new Reporter(options({ reportLogs: false }));
    reporter.sink.log(log('kept local'));
    expect(await reporter.flush(5_000)).toEqual({ done: true, remaining: 0 });
    expect(reporter.status().pipelines.logs.produced).toBe(0);
    expect(collector.counts().logs).toBe(0);
  });

  it('tells a breaker opening, and close() accounts for every item and reports stopped', async () => {
    collector = await startCollector({ port: 0 });
    await collector.setFault(fault.refuse());
    const lines: string[] = [];
    reporter = new Reporter(
      options({ diagnostics: createDiagnosticLogger({ write: (line) => lines.push(line) }) }),
    );
    reporter.sink.log(log('held'));
    reporter.sink.log(log('held too'));
    await vi.waitFor(() => expect(reporter?.status().state).toBe('disconnected'));
    expect(lines.some((line) => line.includes('breaker closed → open'))).toBe(true);

    await reporter.close(1_000);
    expect(reporter.status()).toMatchObject({
      state: 'stopped',
      pipelines: {
        logs: { produced: 2, delivered: 0, queued: 0, inFlight: 0, dropped: { shutdown: 2 } },
      },
    });
  });

  it('throws an OptionsError naming an unreadable certificate', () => {
    let thrown: unknown;
    try {
      new Reporter(options({ security: { caPath: '/nonexistent/ca.pem' } }));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(OptionsError);
    expect((thrown as OptionsError).problems).toEqual([
      expect.objectContaining({ name: 'caPath' }),
    ]);
  });
});
