import { availableParallelism } from 'node:os';
import {
  constants,
  monitorEventLoopDelay,
  performance,
  PerformanceObserver,
  type EventLoopUtilization,
} from 'node:perf_hooks';
import { getHeapSpaceStatistics, getHeapStatistics } from 'node:v8';
import { type MeterRegistry } from './meter-registry.js';

/**
 * Names of the runtime meters. The first twelve are the names and units of OAP's `nodejs-runtime.yaml` rules (the
 * Apache Node.js agent's meters), so OAP's Node.js instance dashboard reads them as shipped; the `windsock_*` ones
 * are this agent's own and need the rule file `oap/windsock.yaml`: a prefix of their own so that a meter OAP adds
 * to `instance_nodejs_*` later can never collide with one of them.
 */
export const RuntimeMeter = {
  /** Process CPU (user + system) over the last interval, percent of the machine (all its cores): 0–100. */
  processCpu: 'instance_nodejs_process_cpu',
  heapUsed: 'instance_nodejs_heap_used',
  heapTotal: 'instance_nodejs_heap_total',
  heapLimit: 'instance_nodejs_heap_limit',
  rss: 'instance_nodejs_rss',
  externalMemory: 'instance_nodejs_external_memory',
  arrayBuffers: 'instance_nodejs_array_buffers',
  /** Seconds since the process started. */
  uptime: 'instance_nodejs_uptime',
  peakMallocedMemory: 'instance_nodejs_peak_malloced_memory',
  mallocedMemory: 'instance_nodejs_malloced_memory',
  oldSpaceUsed: 'instance_nodejs_old_space_used',
  newSpaceUsed: 'instance_nodejs_new_space_used',
  eventLoopDelayP50: 'windsock_event_loop_delay_p50_ms',
  eventLoopDelayP99: 'windsock_event_loop_delay_p99_ms',
  eventLoopDelayMax: 'windsock_event_loop_delay_max_ms',
  eventLoopUtilization: 'windsock_event_loop_utilization_percent',
  gcCount: 'windsock_gc_count',
  gcPause: 'windsock_gc_pause_ms',
  activeHandles: 'windsock_active_handles',
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
  cpuPercent: number;
  heapUsed: number;
  heapTotal: number;
  heapLimit: number;
  rss: number;
  external: number;
  arrayBuffers: number;
  uptimeSeconds: number;
  peakMalloced: number;
  malloced: number;
  oldSpaceUsed: number;
  newSpaceUsed: number;
  loopDelayP50Ms: number;
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  loopUtilizationPercent: number;
  activeHandles: number;
}

/** Used size of V8's old and new generation spaces (`new_space` is the young generation's semi-spaces). */
function spaceUsed(snapshot: Snapshot): void {
  snapshot.oldSpaceUsed = 0;
  snapshot.newSpaceUsed = 0;
  for (const space of getHeapSpaceStatistics()) {
    if (space.space_name === 'old_space') snapshot.oldSpaceUsed = space.space_used_size;
    else if (space.space_name === 'new_space') snapshot.newSpaceUsed = space.space_used_size;
  }
}

/**
 * Registers the runtime gauges on `registry` and starts what feeds them: an event-loop delay histogram (reset at
 * every collection, so p50/p99/max describe the last interval), a `gc` PerformanceObserver (cumulative count and
 * pause per kind), and interval deltas of event-loop utilization and process CPU time. Everything is read once per
 * collection (every 20 s by default), never in between. Returns the function that stops the observers.
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

  // OAP's dashboard shows the share of the machine, as the Apache agent reports it: CPU time over wall time and
  // over the cores this process may run on (its affinity, which a container's cpuset also limits).
  const cores = Math.max(1, availableParallelism());
  let lastUtilization: EventLoopUtilization = performance.eventLoopUtilization();
  let lastCpu = process.cpuUsage();
  let lastCpuAt = performance.now();
  const snapshot: Snapshot = {
    cpuPercent: 0,
    heapUsed: 0,
    heapTotal: 0,
    heapLimit: 0,
    rss: 0,
    external: 0,
    arrayBuffers: 0,
    uptimeSeconds: 0,
    peakMalloced: 0,
    malloced: 0,
    oldSpaceUsed: 0,
    newSpaceUsed: 0,
    loopDelayP50Ms: 0,
    loopDelayP99Ms: 0,
    loopDelayMaxMs: 0,
    loopUtilizationPercent: 0,
    activeHandles: 0,
  };

  const takeSnapshot = () => {
    const cpu = process.cpuUsage(lastCpu);
    const at = performance.now();
    const elapsedMicros = (at - lastCpuAt) * 1000;
    snapshot.cpuPercent =
      elapsedMicros > 0
        ? Math.min(100, ((cpu.user + cpu.system) / elapsedMicros / cores) * 100)
        : 0;
    lastCpu = process.cpuUsage();
    lastCpuAt = at;

    const memory = process.memoryUsage();
    snapshot.heapUsed = memory.heapUsed;
    snapshot.heapTotal = memory.heapTotal;
    snapshot.rss = memory.rss;
    snapshot.external = memory.external;
    snapshot.arrayBuffers = memory.arrayBuffers;
    const heap = getHeapStatistics();
    snapshot.heapLimit = heap.heap_size_limit;
    snapshot.peakMalloced = heap.peak_malloced_memory;
    snapshot.malloced = heap.malloced_memory;
    spaceUsed(snapshot);
    snapshot.uptimeSeconds = process.uptime();

    // The histogram is empty until the loop has run for one resolution period; report 0 rather than NaN then.
    const hasSamples = loopDelay.count > 0;
    snapshot.loopDelayP50Ms = hasSamples ? delayBeyondResolution(loopDelay.percentile(50)) : 0;
    snapshot.loopDelayP99Ms = hasSamples ? delayBeyondResolution(loopDelay.percentile(99)) : 0;
    snapshot.loopDelayMaxMs = hasSamples ? delayBeyondResolution(loopDelay.max) : 0;
    loopDelay.reset();

    const utilization = performance.eventLoopUtilization(lastUtilization);
    lastUtilization = performance.eventLoopUtilization();
    snapshot.loopUtilizationPercent = utilization.utilization * 100;

    snapshot.activeHandles = process.getActiveResourcesInfo().length;
  };

  const removers = [
    registry.onCollect(takeSnapshot),
    registry.gauge(RuntimeMeter.processCpu, () => snapshot.cpuPercent),
    registry.gauge(RuntimeMeter.heapUsed, () => snapshot.heapUsed),
    registry.gauge(RuntimeMeter.heapTotal, () => snapshot.heapTotal),
    registry.gauge(RuntimeMeter.heapLimit, () => snapshot.heapLimit),
    registry.gauge(RuntimeMeter.rss, () => snapshot.rss),
    registry.gauge(RuntimeMeter.externalMemory, () => snapshot.external),
    registry.gauge(RuntimeMeter.arrayBuffers, () => snapshot.arrayBuffers),
    registry.gauge(RuntimeMeter.uptime, () => snapshot.uptimeSeconds),
    registry.gauge(RuntimeMeter.peakMallocedMemory, () => snapshot.peakMalloced),
    registry.gauge(RuntimeMeter.mallocedMemory, () => snapshot.malloced),
    registry.gauge(RuntimeMeter.oldSpaceUsed, () => snapshot.oldSpaceUsed),
    registry.gauge(RuntimeMeter.newSpaceUsed, () => snapshot.newSpaceUsed),
    registry.gauge(RuntimeMeter.eventLoopDelayP50, () => snapshot.loopDelayP50Ms),
    registry.gauge(RuntimeMeter.eventLoopDelayP99, () => snapshot.loopDelayP99Ms),
    registry.gauge(RuntimeMeter.eventLoopDelayMax, () => snapshot.loopDelayMaxMs),
    registry.gauge(RuntimeMeter.eventLoopUtilization, () => snapshot.loopUtilizationPercent),
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
