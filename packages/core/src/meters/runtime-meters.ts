import {
  constants,
  monitorEventLoopDelay,
  performance,
  PerformanceObserver,
  type EventLoopUtilization,
} from 'node:perf_hooks';
import { type MeterRegistry } from './meter-registry.js';

/** Names of the runtime meters, as the README documents them. */
export const RuntimeMeter = {
  eventLoopDelayP50: 'instance_nodejs_event_loop_delay_p50_ms',
  eventLoopDelayP99: 'instance_nodejs_event_loop_delay_p99_ms',
  eventLoopDelayMax: 'instance_nodejs_event_loop_delay_max_ms',
  eventLoopUtilization: 'instance_nodejs_event_loop_utilization_percent',
  heapUsed: 'instance_nodejs_heap_used_bytes',
  heapTotal: 'instance_nodejs_heap_total_bytes',
  rss: 'instance_nodejs_rss_bytes',
  gcCount: 'instance_nodejs_gc_count',
  gcPause: 'instance_nodejs_gc_pause_ms',
  cpuUsage: 'instance_nodejs_cpu_usage_percent',
  activeHandles: 'instance_nodejs_active_handles',
} as const;

// Sampling resolution of the event-loop delay histogram: fine enough to see a 20 ms stall, cheap enough to run always.
const LOOP_DELAY_RESOLUTION_MS = 20;
const NS_PER_MS = 1e6;

/**
 * Node records the time between two ticks of its sampling timer, which includes the timer's own period: an idle
 * loop reads ≈ 20 ms. The delay is what exceeds that period.
 */
function delayBeyondResolution(nanoseconds: number): number {
  return Math.max(0, nanoseconds / NS_PER_MS - LOOP_DELAY_RESOLUTION_MS);
}

const GC_KINDS: ReadonlyArray<readonly [number, string]> = [
  [constants.NODE_PERFORMANCE_GC_MINOR, 'minor'],
  [constants.NODE_PERFORMANCE_GC_MAJOR, 'major'],
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL, 'incremental'],
  [constants.NODE_PERFORMANCE_GC_WEAKCB, 'weakcb'],
];

interface GcTotals {
  count: number;
  pauseMs: number;
}

/** One reading of everything that is costly to read, shared by the gauges of one collection. */
interface Snapshot {
  loopDelayP50Ms: number;
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  loopUtilizationPercent: number;
  heapUsed: number;
  heapTotal: number;
  rss: number;
  cpuPercent: number;
  activeHandles: number;
}

/**
 * Registers the `instance_nodejs_*` gauges on `registry` and starts what feeds them: an event-loop delay histogram
 * (reset at every collection, so p50/p99/max describe the last interval), a `gc` PerformanceObserver (cumulative
 * count and pause per kind), and interval deltas of event-loop utilization and process CPU time. Returns the
 * function that stops the observers.
 */
export function installRuntimeMeters(registry: MeterRegistry): () => void {
  const loopDelay = monitorEventLoopDelay({ resolution: LOOP_DELAY_RESOLUTION_MS });
  loopDelay.enable();

  const gcTotals = new Map<number, GcTotals>(
    GC_KINDS.map(([kind]) => [kind, { count: 0, pauseMs: 0 }]),
  );
  const gcObserver = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      // `detail` is typed on the gc entry only from @types/node 22; Node ≥ 16 sets it at run time.
      const kind = (entry as { detail?: { kind?: number } }).detail?.kind;
      const totals = kind === undefined ? undefined : gcTotals.get(kind);
      if (totals === undefined) continue;
      totals.count += 1;
      totals.pauseMs += entry.duration;
    }
  });
  gcObserver.observe({ entryTypes: ['gc'] });

  let lastUtilization: EventLoopUtilization = performance.eventLoopUtilization();
  let lastCpu = process.cpuUsage();
  let lastCpuAt = performance.now();
  const snapshot: Snapshot = {
    loopDelayP50Ms: 0,
    loopDelayP99Ms: 0,
    loopDelayMaxMs: 0,
    loopUtilizationPercent: 0,
    heapUsed: 0,
    heapTotal: 0,
    rss: 0,
    cpuPercent: 0,
    activeHandles: 0,
  };

  const takeSnapshot = () => {
    // The histogram is empty until the loop has run for one resolution period; report 0 rather than NaN then.
    const hasSamples = loopDelay.count > 0;
    snapshot.loopDelayP50Ms = hasSamples ? delayBeyondResolution(loopDelay.percentile(50)) : 0;
    snapshot.loopDelayP99Ms = hasSamples ? delayBeyondResolution(loopDelay.percentile(99)) : 0;
    snapshot.loopDelayMaxMs = hasSamples ? delayBeyondResolution(loopDelay.max) : 0;
    loopDelay.reset();

    const utilization = performance.eventLoopUtilization(lastUtilization);
    lastUtilization = performance.eventLoopUtilization();
    snapshot.loopUtilizationPercent = utilization.utilization * 100;

    const memory = process.memoryUsage();
    snapshot.heapUsed = memory.heapUsed;
    snapshot.heapTotal = memory.heapTotal;
    snapshot.rss = memory.rss;

    const cpu = process.cpuUsage(lastCpu);
    const at = performance.now();
    const elapsedMicros = (at - lastCpuAt) * 1000;
    // Percent of one core (a process busy on two threads can exceed 100), as `top` shows it.
    snapshot.cpuPercent = elapsedMicros > 0 ? ((cpu.user + cpu.system) / elapsedMicros) * 100 : 0;
    lastCpu = process.cpuUsage();
    lastCpuAt = at;

    snapshot.activeHandles = process.getActiveResourcesInfo().length;
  };

  const removers = [
    registry.onCollect(takeSnapshot),
    registry.gauge(RuntimeMeter.eventLoopDelayP50, () => snapshot.loopDelayP50Ms),
    registry.gauge(RuntimeMeter.eventLoopDelayP99, () => snapshot.loopDelayP99Ms),
    registry.gauge(RuntimeMeter.eventLoopDelayMax, () => snapshot.loopDelayMaxMs),
    registry.gauge(RuntimeMeter.eventLoopUtilization, () => snapshot.loopUtilizationPercent),
    registry.gauge(RuntimeMeter.heapUsed, () => snapshot.heapUsed),
    registry.gauge(RuntimeMeter.heapTotal, () => snapshot.heapTotal),
    registry.gauge(RuntimeMeter.rss, () => snapshot.rss),
    registry.gauge(RuntimeMeter.cpuUsage, () => snapshot.cpuPercent),
    registry.gauge(RuntimeMeter.activeHandles, () => snapshot.activeHandles),
  ];
  for (const [kind, name] of GC_KINDS) {
    const totals = gcTotals.get(kind)!;
    removers.push(
      registry.gauge(RuntimeMeter.gcCount, { kind: name }, () => totals.count),
      registry.gauge(RuntimeMeter.gcPause, { kind: name }, () => totals.pauseMs),
    );
  }

  return () => {
    for (const remove of removers) remove();
    loopDelay.disable();
    gcObserver.disconnect();
  };
}
