import { type Label, type MeterData } from '@windsock/protocol';
import { OptionChecks } from '@windsock/options';
import { runAsAgent } from '../diagnostics/agent-guard.js';
import { INVALID_CORE_OPTIONS } from '../invalid-options.js';
import { type Sink } from '../sink.js';
import { HistogramCounts } from './histogram.js';
import { installRuntimeMeters } from './runtime-meters.js';

export type MeterLabels = Readonly<Record<string, string | number | boolean>>;

export interface Counter {
  /** Adds `n` (default 1); negative or non-finite amounts are ignored: a counter only goes up. */
  inc(n?: number): void;
}

export interface Histogram {
  /** Counts `value` in its bucket; NaN is ignored. */
  observe(value: number): void;
}

export interface MeterRegistryOptions {
  sink: Sink;
  serviceName: string;
  serviceInstance: string;
  /** How often `start()` hands a collection to the sink (default 20 000 ms, `SW_METER_REPORT_INTERVAL`'s 20 s). */
  intervalMs?: number;
  /** Collect the runtime meters (`RuntimeMeter`: OAP's `instance_nodejs_*` and `windsock_*`) while started (default true). */
  runtimeMeters?: boolean;
  /** Epoch milliseconds; injectable for tests. */
  now?: () => number;
}

/** Counters since the registry was created. */
export interface MeterRegistryStats {
  /** Collections handed to the sink. */
  collections: number;
  /** Gauge callbacks that threw or returned a non-finite number (that gauge is left out of the collection). */
  gaugeErrors: number;
  /** Calls to the sink that threw. */
  sinkErrors: number;
}

export const DEFAULT_METER_INTERVAL_MS = 20_000;

interface Series {
  readonly name: string;
  readonly labels: Label[];
}

interface CounterSeries extends Series {
  value: number;
}

interface GaugeSeries extends Series {
  readonly read: () => number;
}

interface HistogramSeries extends Series {
  readonly counts: HistogramCounts;
}

function toLabels(labels: MeterLabels | undefined): Label[] {
  if (labels === undefined || labels === null) return [];
  return Object.keys(labels)
    .sort()
    .map((name) => ({ name, value: String(labels[name]) }));
}

function seriesKey(name: string, labels: readonly Label[]): string {
  return JSON.stringify([name, ...labels.map((l) => [l.name, l.value])]);
}

/**
 * Counters, gauges and histograms, turned into one `MeterData` collection per interval. Asking twice for the same
 * name and labels returns the same meter, so instrumentation can look meters up where it needs them.
 */
export class MeterRegistry {
  readonly intervalMs: number;
  private readonly sink: Sink;
  private readonly serviceName: string;
  private readonly serviceInstance: string;
  private readonly withRuntimeMeters: boolean;
  private readonly now: () => number;
  private readonly counters = new Map<string, CounterSeries>();
  private readonly gauges = new Map<string, GaugeSeries>();
  private readonly histograms = new Map<string, HistogramSeries>();
  private readonly collectHooks = new Set<() => void>();
  private readonly counts: MeterRegistryStats = { collections: 0, gaugeErrors: 0, sinkErrors: 0 };
  private timer: NodeJS.Timeout | undefined;
  private uninstallRuntimeMeters: (() => void) | undefined;

  constructor(options: MeterRegistryOptions) {
    this.sink = options.sink;
    this.serviceName = options.serviceName;
    this.serviceInstance = options.serviceInstance;
    const check = new OptionChecks();
    if (options.intervalMs !== undefined) check.delayMs('intervalMs', options.intervalMs);
    if (options.now !== undefined) check.function('now', options.now);
    check.throwIfAny(INVALID_CORE_OPTIONS);
    this.intervalMs = options.intervalMs ?? DEFAULT_METER_INTERVAL_MS;
    this.withRuntimeMeters = options.runtimeMeters ?? true;
    this.now = options.now ?? Date.now;
  }

  /** A monotonic counter, reported as its running total (the backend derives rates). */
  counter(name: string, labels?: MeterLabels): Counter {
    const list = toLabels(labels);
    const key = seriesKey(name, list);
    let series = this.counters.get(key);
    if (series === undefined) {
      series = { name, labels: list, value: 0 };
      this.counters.set(key, series);
    }
    const target = series;
    return {
      inc(n = 1) {
        if (typeof n === 'number' && Number.isFinite(n) && n > 0) target.value += n;
      },
    };
  }

  /**
   * A value read when a collection is made: `callback` returns the current number. Registering the same name and
   * labels again replaces the callback. Returns a function that removes the gauge.
   */
  gauge(name: string, labels: MeterLabels | undefined, callback: () => number): () => void;
  gauge(name: string, callback: () => number): () => void;
  gauge(
    name: string,
    labelsOrCallback: MeterLabels | undefined | (() => number),
    callback?: () => number,
  ): () => void {
    const read = typeof labelsOrCallback === 'function' ? labelsOrCallback : callback;
    if (typeof read !== 'function') return () => {};
    const labels = toLabels(typeof labelsOrCallback === 'function' ? undefined : labelsOrCallback);
    const key = seriesKey(name, labels);
    const series: GaugeSeries = { name, labels, read };
    this.gauges.set(key, series);
    return () => {
      if (this.gauges.get(key) === series) this.gauges.delete(key);
    };
  }

  /** A histogram over `buckets` (lower boundaries, any order; see the README), reported cumulatively. */
  histogram(name: string, buckets: readonly number[], labels?: MeterLabels): Histogram {
    const list = toLabels(labels);
    const key = seriesKey(name, list);
    let series = this.histograms.get(key);
    if (series === undefined) {
      series = { name, labels: list, counts: new HistogramCounts(buckets) };
      this.histograms.set(key, series);
    }
    const counts = series.counts;
    return {
      observe(value: number) {
        counts.observe(value);
      },
    };
  }

  /**
   * Runs `hook` at the start of every collection, before any gauge is read: for meters that take one snapshot per
   * collection and expose it through several gauges (the runtime meters do). Returns a function that removes it.
   */
  onCollect(hook: () => void): () => void {
    this.collectHooks.add(hook);
    return () => {
      this.collectHooks.delete(hook);
    };
  }

  /** The current values of every meter, as one collection. Never throws. */
  collect(): MeterData[] {
    for (const hook of this.collectHooks) {
      try {
        hook();
      } catch {
        this.counts.gaugeErrors += 1;
      }
    }
    const timestamp = this.now();
    const service = this.serviceName;
    const serviceInstance = this.serviceInstance;
    const collection: MeterData[] = [];
    const single = (name: string, labels: Label[], value: number) =>
      collection.push({
        singleValue: { name, labels, value },
        service,
        serviceInstance,
        timestamp,
      });
    for (const series of this.counters.values()) single(series.name, series.labels, series.value);
    for (const series of this.gauges.values()) {
      let value: number;
      try {
        value = series.read();
      } catch {
        this.counts.gaugeErrors += 1;
        continue;
      }
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        this.counts.gaugeErrors += 1;
        continue;
      }
      single(series.name, series.labels, value);
    }
    for (const series of this.histograms.values()) {
      collection.push({
        histogram: { name: series.name, labels: series.labels, values: series.counts.values() },
        service,
        serviceInstance,
        timestamp,
      });
    }
    return collection;
  }

  /**
   * Hands `collect()` to `sink.meters` every `intervalMs` (an unref'd timer: it never keeps the process alive) and
   * installs the runtime meters. Idempotent.
   */
  start(): void {
    if (this.timer !== undefined) return;
    if (this.withRuntimeMeters) this.uninstallRuntimeMeters = installRuntimeMeters(this);
    this.timer = setInterval(() => this.report(), this.intervalMs);
    this.timer.unref();
  }

  /** Stops the timer and the runtime meters' observers. Idempotent; `start()` may be called again. */
  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.uninstallRuntimeMeters?.();
    this.uninstallRuntimeMeters = undefined;
  }

  /** Collects and hands the collection to the sink now (what each timer tick does), as agent code. */
  report(): void {
    runAsAgent(() => {
      const collection = this.collect();
      if (collection.length === 0) return;
      this.counts.collections += 1;
      try {
        this.sink.meters(collection);
      } catch {
        this.counts.sinkErrors += 1;
      }
    });
  }

  stats(): MeterRegistryStats {
    return { ...this.counts };
  }
}

/** Creates a meter registry; call `start()` to report every `intervalMs`. */
export function createMeterRegistry(options: MeterRegistryOptions): MeterRegistry {
  return new MeterRegistry(options);
}
