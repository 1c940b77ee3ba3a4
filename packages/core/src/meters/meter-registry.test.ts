import { type MeterData } from '@windsock/protocol';
import { OptionsError } from '@windsock/options';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isAgentRunning } from '../diagnostics/agent-guard.js';
import { type Sink } from '../sink.js';
import { HistogramCounts } from './histogram.js';
import { createMeterRegistry, type MeterRegistryOptions } from './meter-registry.js';
import { RuntimeMeter } from './runtime-meters.js';

function setup(options: Partial<MeterRegistryOptions> = {}) {
  const collections: MeterData[][] = [];
  const guardSeen: boolean[] = [];
  const sink: Sink = {
    segment() {},
    log() {},
    meters(collection) {
      guardSeen.push(isAgentRunning());
      collections.push(collection);
    },
  };
  const registry = createMeterRegistry({
    sink,
    serviceName: 'orders',
    serviceInstance: 'orders-1',
    runtimeMeters: false,
    now: () => 1_700_000_000_000,
    ...options,
  });
  return { registry, collections, guardSeen };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('MeterRegistry', () => {
  it('rejects an interval a timer cannot wait, instead of falling back to the default', () => {
    expect(() => setup({ intervalMs: 0 })).toThrow(OptionsError);
    expect(() => setup({ intervalMs: Number.NaN, now: 5 as never })).toThrow(
      /\(2 problems\):\n {2}- intervalMs = NaN: .*\n {2}- now = 5: expected a function/,
    );
  });

  it('turns counters and gauges into singleValue MeterData with sorted labels', () => {
    const { registry } = setup();
    const requests = registry.counter('http_requests', { status: 200, method: 'GET' });
    requests.inc();
    requests.inc(2);
    requests.inc(-5);
    requests.inc(Number.NaN);
    // Same name and labels: the same counter.
    registry.counter('http_requests', { method: 'GET', status: '200' }).inc();
    let depth = 7;
    registry.gauge('queue_depth', { pipeline: 'logs' }, () => depth);
    depth = 9;
    expect(registry.collect()).toEqual([
      {
        singleValue: {
          name: 'http_requests',
          labels: [
            { name: 'method', value: 'GET' },
            { name: 'status', value: '200' },
          ],
          value: 4,
        },
        service: 'orders',
        serviceInstance: 'orders-1',
        timestamp: 1_700_000_000_000,
      },
      {
        singleValue: {
          name: 'queue_depth',
          labels: [{ name: 'pipeline', value: 'logs' }],
          value: 9,
        },
        service: 'orders',
        serviceInstance: 'orders-1',
        timestamp: 1_700_000_000_000,
      },
    ]);
  });

  it('leaves out gauges that throw or return non-numbers, counted; a removed gauge is gone', () => {
    const { registry } = setup();
    registry.gauge('throws', () => {
      throw new Error('x');
    });
    registry.gauge('nan', () => Number.NaN);
    const remove = registry.gauge('ok', () => 1);
    expect(registry.collect().map((d) => d.singleValue?.name)).toEqual(['ok']);
    expect(registry.stats().gaugeErrors).toBe(2);
    remove();
    expect(registry.collect()).toEqual([]);
  });

  it('reports histograms with the protocol buckets: lower bounds plus a negative-infinity bucket', () => {
    const { registry } = setup();
    const latency = registry.histogram('latency_ms', [100, 10, 50, 10], { route: '/a' });
    for (const value of [-1, 0, 10, 49.9, 50, 99, 100, 5_000, Number.NaN]) latency.observe(value);
    const [data] = registry.collect();
    expect(data!.histogram).toEqual({
      name: 'latency_ms',
      labels: [{ name: 'route', value: '/a' }],
      values: [
        { bucket: 0, count: 2, isNegativeInfinity: true },
        { bucket: 10, count: 2, isNegativeInfinity: false },
        { bucket: 50, count: 2, isNegativeInfinity: false },
        { bucket: 100, count: 2, isNegativeInfinity: false },
      ],
    });
  });

  it('puts every observation in the bucket whose range holds it (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }), {
          minLength: 1,
          maxLength: 20,
        }),
        fc.array(fc.double({ noNaN: true, min: -2e6, max: 2e6 }), { maxLength: 200 }),
        (bounds, observations) => {
          const histogram = new HistogramCounts(bounds);
          for (const value of observations) histogram.observe(value);
          const values = histogram.values();
          const edges = histogram.bounds;
          expect(values.reduce((sum, v) => sum + v.count, 0)).toBe(observations.length);
          const expected = new Array<number>(edges.length + 1).fill(0);
          for (const value of observations) {
            let index = 0;
            for (let i = 0; i < edges.length; i += 1) if (value >= edges[i]!) index = i + 1;
            expected[index]! += 1;
          }
          expect(values.map((v) => v.count)).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('hands one collection per interval to the sink, as agent code, from an unref-ed timer', () => {
    vi.useFakeTimers();
    const { registry, collections, guardSeen } = setup({ intervalMs: 1_000 });
    const counter = registry.counter('ticks');
    const spy = vi.spyOn(globalThis, 'setInterval');
    registry.start();
    registry.start();
    expect(spy).toHaveBeenCalledTimes(1);
    const timer = spy.mock.results[0]!.value as NodeJS.Timeout;
    expect(timer.hasRef()).toBe(false);
    counter.inc();
    vi.advanceTimersByTime(999);
    expect(collections).toHaveLength(0);
    vi.advanceTimersByTime(1);
    counter.inc();
    vi.advanceTimersByTime(1_000);
    expect(collections.map((c) => c[0]!.singleValue!.value)).toEqual([1, 2]);
    expect(guardSeen).toEqual([true, true]);
    registry.stop();
    vi.advanceTimersByTime(5_000);
    expect(collections).toHaveLength(2);
    expect(registry.stats()).toMatchObject({ collections: 2, sinkErrors: 0 });
  });

  it('keeps a throwing sink away from the timer, counted', () => {
    const registry = createMeterRegistry({
      sink: {
        segment() {},
        log() {},
        meters() {
          throw new Error('queue exploded');
        },
      },
      serviceName: 's',
      serviceInstance: 'i',
      runtimeMeters: false,
    });
    registry.counter('c').inc();
    expect(() => registry.report()).not.toThrow();
    expect(registry.stats().sinkErrors).toBe(1);
  });
});

describe('runtime meters', () => {
  function readings(collection: MeterData[]): Map<string, number> {
    const values = new Map<string, number>();
    for (const data of collection) {
      const single = data.singleValue!;
      const kind = single.labels[0]?.value;
      values.set(kind === undefined ? single.name : `${single.name}{${kind}}`, single.value);
    }
    return values;
  }

  it("report OAP's twelve nodejs-runtime meters with plausible values in their units", () => {
    const { registry } = setup({ runtimeMeters: true });
    registry.start();
    try {
      // Some CPU work between the start and the collection, for the CPU meter to see.
      const started = process.cpuUsage();
      let spin = 0;
      while (process.cpuUsage(started).user < 20_000) spin += Math.sqrt(spin + 1);
      const values = readings(registry.collect());
      const oap = [
        'instance_nodejs_process_cpu',
        'instance_nodejs_heap_used',
        'instance_nodejs_heap_total',
        'instance_nodejs_heap_limit',
        'instance_nodejs_rss',
        'instance_nodejs_external_memory',
        'instance_nodejs_array_buffers',
        'instance_nodejs_uptime',
        'instance_nodejs_peak_malloced_memory',
        'instance_nodejs_malloced_memory',
        'instance_nodejs_old_space_used',
        'instance_nodejs_new_space_used',
      ];
      for (const name of oap) expect(values.get(name), name).toBeGreaterThanOrEqual(0);
      // Percent of the machine: busy on one thread for the whole interval is at most 100 / cores.
      const cpu = values.get(RuntimeMeter.processCpu)!;
      expect(cpu).toBeGreaterThan(0);
      expect(cpu).toBeLessThanOrEqual(100);
      // Bytes, not MB: the heap of a running test process is megabytes, its limit hundreds of them.
      const heapUsed = values.get(RuntimeMeter.heapUsed)!;
      expect(heapUsed).toBeGreaterThan(1024 * 1024);
      expect(heapUsed).toBeLessThanOrEqual(values.get(RuntimeMeter.heapTotal)!);
      expect(values.get(RuntimeMeter.heapTotal)).toBeLessThanOrEqual(values.get(RuntimeMeter.rss)!);
      expect(values.get(RuntimeMeter.heapLimit)).toBeGreaterThan(100 * 1024 * 1024);
      expect(values.get(RuntimeMeter.heapLimit)).toBeGreaterThan(
        values.get(RuntimeMeter.heapTotal)!,
      );
      expect(values.get(RuntimeMeter.arrayBuffers)).toBeLessThanOrEqual(
        values.get(RuntimeMeter.externalMemory)!,
      );
      expect(values.get(RuntimeMeter.mallocedMemory)).toBeLessThanOrEqual(
        values.get(RuntimeMeter.peakMallocedMemory)!,
      );
      expect(
        values.get(RuntimeMeter.oldSpaceUsed)! + values.get(RuntimeMeter.newSpaceUsed)!,
      ).toBeLessThanOrEqual(values.get(RuntimeMeter.heapTotal)!);
      expect(values.get(RuntimeMeter.oldSpaceUsed)).toBeGreaterThan(0);
      // Seconds, not milliseconds.
      expect(values.get(RuntimeMeter.uptime)).toBeGreaterThan(0);
      expect(values.get(RuntimeMeter.uptime)).toBeLessThanOrEqual(process.uptime());
    } finally {
      registry.stop();
    }
  });

  it("keep windsock's own meters (loop delay, utilisation, GC, handles) under windsock_* names", async () => {
    const { registry } = setup({ runtimeMeters: true });
    registry.start();
    try {
      registry.collect();
      const garbage: unknown[] = [];
      for (let i = 0; i < 200_000; i += 1) garbage.push({ i, text: `item-${i}` });
      garbage.length = 0;
      // GC entries reach the observer asynchronously: wait for the young-generation collections the loop caused.
      let values = new Map<string, number>();
      await vi.waitFor(() => {
        values = readings(registry.collect());
        expect(values.get(`${RuntimeMeter.gcCount}{minor}`)).toBeGreaterThan(0);
      });
      const own = Object.values(RuntimeMeter).filter((name) => name.startsWith('windsock_'));
      expect(own).toHaveLength(7);
      for (const name of own) {
        if (name === RuntimeMeter.gcCount || name === RuntimeMeter.gcPause) continue;
        expect(values.get(name), name).toBeGreaterThanOrEqual(0);
      }
      expect(values.get(RuntimeMeter.eventLoopUtilization)).toBeLessThanOrEqual(100);
      expect(values.get(RuntimeMeter.eventLoopDelayMax)).toBeGreaterThanOrEqual(
        values.get(RuntimeMeter.eventLoopDelayP50)!,
      );
      for (const kind of ['minor', 'major', 'incremental', 'weakcb']) {
        expect(values.get(`${RuntimeMeter.gcCount}{${kind}}`)).toBeGreaterThanOrEqual(0);
        expect(values.get(`${RuntimeMeter.gcPause}{${kind}}`)).toBeGreaterThanOrEqual(0);
      }
      // No name of windsock's own is in OAP's namespace of the Apache agent's meters.
      expect(own.some((name) => name.startsWith('instance_nodejs_'))).toBe(false);
    } finally {
      registry.stop();
    }
    // Stopped: the runtime gauges are gone with their observers.
    expect(registry.collect()).toEqual([]);
  });
});
