import { fault, startCollector, type Collector } from '@windsock/collector';
import { encodeLogData } from '@windsock/protocol';
import { BackendSet } from '@windsock/resilience';
import {
  createTransport,
  transportResultClassifier,
  type Transport,
  type TransportResult,
} from '@windsock/transport';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Pipeline, type PipelineName } from './pipeline.js';

let collector: Collector | undefined;
let transport: Transport | undefined;
let pipeline: Pipeline | undefined;

afterEach(async () => {
  await pipeline?.close();
  transport?.close();
  await collector?.stop();
  pipeline = transport = collector = undefined;
});

function logFrame(text: string): Uint8Array {
  return encodeLogData({
    timestamp: 1_700_000_000_000,
    service: 'pipeline-test',
    serviceInstance: 'one',
    endpoint: '',
    body: { type: 'text', text: { text } },
    traceContext: undefined,
    tags: undefined,
    layer: '',
  });
}

/** A logs pipeline to a real collector through a real transport and backend set. */
async function logsPipeline(
  options: { maxItems?: number; deadlineMs?: number } = {},
  overflow: [PipelineName, 'start' | 'end', number][] = [],
): Promise<{ collector: Collector; pipeline: Pipeline; backends: BackendSet<TransportResult> }> {
  collector = await startCollector({ port: 0 });
  const t = createTransport({
    backends: collector.address,
    deadlines: { logs: options.deadlineMs ?? 5_000 },
  });
  transport = t;
  const backends = new BackendSet<TransportResult>({
    addresses: [collector.address],
    classifier: transportResultClassifier,
    policy: { retry: { maxAttempts: 0 }, breaker: { kind: 'consecutive', threshold: 1 } },
  });
  pipeline = new Pipeline({
    name: 'logs',
    maxItems: options.maxItems ?? 1_000,
    maxBytes: 1024 * 1024,
    maxBatchItems: 100,
    lingerMs: 5,
    backends,
    send: (frames, backend, signal) => t.sendLogs(frames, { backend, signal }),
    onOverflow: (...event) => overflow.push(event),
  });
  return { collector, pipeline, backends };
}

describe('Pipeline', () => {
  it('delivers what is offered, and counts an item that could not be encoded as rejected', async () => {
    const { collector, pipeline } = await logsPipeline();
    for (let i = 0; i < 5; i++) pipeline.offer(logFrame(`line ${i}`));
    pipeline.reject();
    expect(await pipeline.flush(5_000)).toEqual({ done: true, remaining: 0 });
    expect(collector.counts().logs).toBe(5);
    expect(pipeline.stats()).toMatchObject({
      produced: 6,
      delivered: 5,
      queued: 0,
      inFlight: 0,
      dropped: { rejected: 1 },
    });
  });

  it('keeps a batch the backend refused, and close() drops it as shutdown', async () => {
    const { collector, pipeline, backends } = await logsPipeline();
    await collector.setFault(fault.refuse());
    for (let i = 0; i < 3; i++) pipeline.offer(logFrame(`kept ${i}`));
    await vi.waitFor(() => expect(backends.states()).toEqual(['open']));
    expect(pipeline.stats()).toMatchObject({ queued: 3, dropped: { unacknowledged: 0 } });
    await pipeline.close();
    expect(pipeline.stats()).toMatchObject({
      produced: 3,
      delivered: 0,
      queued: 0,
      inFlight: 0,
      dropped: { shutdown: 3, unacknowledged: 0 },
    });
  });

  it('abandon() counts the batch in flight as unacknowledged and the queue as shutdown, at once', async () => {
    const { collector, pipeline } = await logsPipeline({ deadlineMs: 60_000 });
    await collector.setFault(fault.delay(60_000)); // the server takes the batch and never answers
    pipeline.offer(logFrame('in flight'));
    await vi.waitFor(() => expect(pipeline.stats().inFlight).toBe(1));
    pipeline.offer(logFrame('queued'));
    pipeline.abandon();
    expect(pipeline.stats()).toMatchObject({
      produced: 2,
      queued: 0,
      inFlight: 0,
      dropped: { unacknowledged: 1, shutdown: 1 },
    });
  });

  it('sends the bytes offered, through overflow, chunk reuse and a frame too large to share a chunk', async () => {
    const { collector, pipeline, backends } = await logsPipeline({ maxItems: 50 });
    await collector.setFault(fault.refuse());
    pipeline.offer(logFrame('first'));
    await vi.waitFor(() => expect(backends.states()).toEqual(['open']));
    // Enough frames to fill and reuse the store's chunks several times over; one is larger than a chunk's share.
    const texts = Array.from({ length: 2_000 }, (_, i) =>
      i === 1_990 ? `large ${'x'.repeat(20_000)}` : `line ${i}`,
    );
    for (const text of texts) {
      const frame = logFrame(text);
      pipeline.offer(frame);
      // A frame that fits a chunk was copied: wiping the original shows that the copy is what is sent.
      if (!text.startsWith('large')) frame.fill(0);
    }
    await collector.setFault(fault.up());
    await vi.waitFor(() => expect(pipeline.stats().queued).toBe(0), { timeout: 15_000 });
    expect(await pipeline.flush(5_000)).toEqual({ done: true, remaining: 0 });
    expect(collector.logs().map((log) => log.body?.text?.text)).toEqual(texts.slice(-50));
    expect(pipeline.stats()).toMatchObject({ produced: 2_001, delivered: 50 });
  });

  it('tells an overflow episode once at its start and once at its end', async () => {
    const events: [PipelineName, 'start' | 'end', number][] = [];
    const { collector, pipeline } = await logsPipeline({ maxItems: 2 }, events);
    await collector.setFault(fault.refuse());
    for (let i = 0; i < 6; i++) pipeline.offer(logFrame(`overflow ${i}`));
    expect(events).toEqual([['logs', 'start', 1]]);
    await collector.setFault(fault.up());
    await vi.waitFor(() => expect(pipeline.stats().queued).toBe(0), { timeout: 15_000 });
    pipeline.offer(logFrame('fits again')); // the first offer that fits ends the episode
    expect(events.map(([, phase]) => phase)).toEqual(['start', 'end']);
    expect(events[1]?.[2]).toBe(pipeline.stats().dropped.overflow);
  });
});
