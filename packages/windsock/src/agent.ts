// The facade: read configuration, build the parts, wire them into three pipelines, expose health. It owns no loop
// and no state machine: queues, breakers, the transport and the tracer each live in their own package.
import {
  DEFAULT_INSTRUMENTATION_SETTINGS,
  createDiagnosticLogger,
  createLogger,
  createMeterRegistry,
  createTracer,
  runAsAgent,
  suppressTracing,
  type DiagnosticLogger,
  type Logger,
  type MeterRegistry,
  type Sink,
  type Tracer,
} from '@windsock/core';
import { captureConsole } from '@windsock/core/console';
import { instrumentPino } from '@windsock/core/pino';
import {
  instrumentWinston,
  type InstrumentWinstonOptions,
  type WinstonLoggerLike,
} from '@windsock/core/winston';
import { enableInstrumentations, LIBRARY_INSTRUMENTATIONS } from '@windsock/instrumentations';
import { encodeLogData, encodeMessage, encodeSegmentObject, MeterData } from '@windsock/protocol';
import {
  createTransport,
  startManagementScheduler,
  type ConfigurationUpdate,
  guardGrpcLogs,
  type ManagementScheduler,
  type Transport,
} from '@windsock/transport';
import { Backends } from './backends.js';
import { ExitWatch, whenAborted } from './exit-watch.js';
import { ConfigError, resolveConfig, type AgentConfig, type AgentOptions } from './config.js';
import { AGENT_VERSION, instanceProperties } from './instance.js';
import { Pipeline, type PipelineName } from './pipeline.js';
import {
  agentState,
  backendStatus,
  describeError,
  pipelineStatus,
  type AgentStatus,
} from './status.js';

export interface FlushOptions {
  /** Default 5 000 ms. */
  timeoutMs?: number;
}

export interface FlushResult {
  /** True when everything queued at the call was settled (delivered or dropped) in time. */
  done: boolean;
  /** Items still queued or in flight, of those queued at the call, when it resolved. */
  remaining: number;
}

export interface Agent {
  readonly config: Readonly<AgentConfig>;
  readonly tracer: Tracer;
  readonly logger: Logger;
  readonly meter: MeterRegistry;
  /** Cheap and synchronous: for every pipeline, produced === delivered + Σ dropped + queued + inFlight. */
  status(): AgentStatus;
  /** Sends what is queued now; resolves (never rejects) when settled or at the timeout. */
  flush(options?: FlushOptions): Promise<FlushResult>;
  /** Flushes, then releases everything (channels, timers, instrumentation); the process can then exit. */
  shutdown(options?: FlushOptions): Promise<void>;
  /**
   * Reports one winston logger (and its children) with trace correlation; winston has no diagnostics channel, so the
   * application hands its logger over once. Returns a disposer. A no-op when `winston` is in `disablePlugins` or
   * after `shutdown()`; with `logReporterEnable: false` its lines are correlated but not reported, as pino's.
   */
  instrumentWinston(logger: WinstonLoggerLike, options?: InstrumentWinstonOptions): () => void;
}

const PIPELINES: readonly PipelineName[] = ['segments', 'logs', 'meters'];

/** Names of the agent's health meters (labels: `pipeline`, plus `reason` for drops; `backend` for the breaker). */
export const AGENT_METER = {
  produced: 'windsock_agent_produced',
  delivered: 'windsock_agent_delivered',
  queued: 'windsock_agent_queued',
  queuedBytes: 'windsock_agent_queued_bytes',
  inFlight: 'windsock_agent_in_flight',
  dropped: 'windsock_agent_dropped',
  breakerState: 'windsock_agent_breaker_state',
} as const;
const DEFAULT_TIMEOUT_MS = 5_000;

class WindsockAgent implements Agent {
  readonly tracer: Tracer;
  readonly logger: Logger;
  readonly meter: MeterRegistry;
  /** The agent's own throttled diagnostic output (stderr or the `diagnostics` option), never a reported logger. */
  readonly diagnostics: DiagnosticLogger;
  private readonly transport: Transport;
  private readonly backends: Backends;
  private readonly pipelines: Record<PipelineName, Pipeline>;
  private readonly scheduler: ManagementScheduler;
  private readonly disposers = new Set<() => void>();
  private readonly winstonLoggers = new WeakMap<WinstonLoggerLike, () => void>();
  private stopping: Promise<void> | undefined;
  private readonly exitWatch = new ExitWatch();
  private stopped = false;

  constructor(
    readonly config: AgentConfig,
    readonly options: AgentOptions,
  ) {
    this.diagnostics = createDiagnosticLogger({
      level: config.loggingLevel,
      ...(options.diagnostics === undefined ? {} : { write: options.diagnostics }),
    });
    this.transport = createTransportOrThrow(config, (address) => this.backends.isOpen(address));
    this.backends = new Backends(config, (address, signal) =>
      this.transport.keepAlive(
        { service: config.serviceName, serviceInstance: config.serviceInstance, layer: '' },
        { backend: address, signal },
      ),
    );
    const send = {
      segments: this.transport.sendSegments.bind(this.transport),
      logs: this.transport.sendLogs.bind(this.transport),
      meters: this.transport.sendMeters.bind(this.transport),
    };
    const pipelines = {} as Record<PipelineName, Pipeline>;
    for (const name of PIPELINES) {
      pipelines[name] = new Pipeline({
        name,
        maxItems: config.maxBufferSize,
        maxBytes: config.maxBufferBytes,
        maxBatchItems: config.maxBatchItems,
        lingerMs: config.lingerMs,
        backends: this.backends,
        send: (frames, address, signal) => send[name](frames, { backend: address, signal }),
        onOverflow: (pipeline, phase, dropped) => this.reportOverflow(pipeline, phase, dropped),
      });
    }
    this.pipelines = pipelines;
    this.watchBreakers();

    const sink = this.createSink();
    this.tracer = createTracer({
      serviceName: config.serviceName,
      serviceInstance: config.serviceInstance,
      sink,
      sampleRate: config.sampleRate,
      maxErrorStackLength: config.errorStackMaxLength,
      ignorePaths: config.traceIgnorePath,
      ignoreMethods: config.httpIgnoreMethod,
      disabledPlugins: tracerPlugins(config.disablePlugins),
    });
    this.tracer.enableHttpInstrumentation();
    this.logger = createLogger({
      tracer: this.tracer,
      sink,
      serviceName: config.serviceName,
      serviceInstance: config.serviceInstance,
    });
    this.meter = createMeterRegistry({
      sink,
      serviceName: config.serviceName,
      serviceInstance: config.serviceInstance,
      intervalMs: config.meterIntervalMs,
      runtimeMeters: config.runtimeMetersEnable,
    });
    if (config.logReporterEnable) this.captureLogs();
    this.disposers.add(
      enableInstrumentations(
        LIBRARY_INSTRUMENTATIONS,
        {
          tracer: this.tracer,
          logger: this.logger,
          diagnostics: this.diagnostics,
          settings: {
            ...DEFAULT_INSTRUMENTATION_SETTINGS,
            sqlTraceParameters: config.sqlTraceParameters,
            sqlParametersMaxLength: config.sqlParametersMaxLength,
            sqlStatementMaxLength: config.sqlStatementMaxLength,
            cacheKeyMaxLength: config.cacheKeyMaxLength,
          },
        },
        config.disablePlugins,
      ),
    );
    this.registerSelfMeters();
    if (config.meterReporterEnable) this.meter.start();

    this.scheduler = startManagementScheduler(this.transport, {
      service: config.serviceName,
      serviceInstance: config.serviceInstance,
      properties: instanceProperties(),
      heartbeatIntervalMs: config.heartbeatIntervalMs,
      cdsIntervalMs: config.cdsIntervalMs,
      isBackendOpen: (address) => this.backends.isOpen(address),
      onConfiguration: (update) => this.applyConfiguration(update),
    });
    if (config.shutdownOnSignals) this.installSignalHandlers();
  }

  status(): AgentStatus {
    const pipelines = {} as AgentStatus['pipelines'];
    for (const name of PIPELINES) pipelines[name] = pipelineStatus(this.pipelines[name].stats());
    return {
      state: agentState(this.backends.states(), this.stopped),
      backends: this.backends.list.map(backendStatus),
      pipelines,
    };
  }

  flush(options: FlushOptions = {}): Promise<FlushResult> {
    return this.exitWatch.during((exiting) => this.flushPipelines(timeoutOf(options), exiting));
  }

  shutdown(options: FlushOptions = {}): Promise<void> {
    this.stopping ??= this.exitWatch.during((exiting) => this.stop(timeoutOf(options), exiting));
    return this.stopping;
  }

  instrumentWinston(logger: WinstonLoggerLike, options?: InstrumentWinstonOptions): () => void {
    if (this.stopping !== undefined || this.config.disablePlugins.includes('winston'))
      return () => {};
    // A logger handed over twice (by the application and a library, say) is instrumented once.
    const known = this.winstonLoggers.get(logger);
    if (known !== undefined) return known;
    const undo = instrumentWinston(logger, this.logger, options);
    const dispose = (): void => {
      undo();
      this.disposers.delete(dispose); // a disposed logger is not kept alive by the agent
      this.winstonLoggers.delete(logger);
    };
    this.disposers.add(dispose);
    this.winstonLoggers.set(logger, dispose);
    return dispose;
  }

  /** Settles at the timeout, or at once when the process is exiting (see ExitWatch). */
  private async flushPipelines(timeoutMs: number, exiting: AbortSignal): Promise<FlushResult> {
    const results = await Promise.all(
      PIPELINES.map((name) => this.pipelines[name].flush(timeoutMs, exiting)),
    );
    return {
      done: results.every((r) => r.done),
      remaining: results.reduce((sum, r) => sum + r.remaining, 0),
    };
  }

  private async stop(timeoutMs: number, exiting: AbortSignal): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    // Produce nothing new, except the meters' last collection: what was counted since the previous one would
    // otherwise be lost (a process that lives less than one interval would report no meters at all).
    this.tracer.disable();
    if (this.config.meterReporterEnable) this.meter.report();
    this.meter.stop();
    this.scheduler.stop();
    // The last word on each diagnostic key, while the loggers it may go through still know it as the agent's.
    this.diagnostics.flush();
    // Last in, first out: an instrumentation added on top of another is undone before it.
    for (const dispose of [...this.disposers].reverse()) dispose();
    this.disposers.clear();
    // Keep a little time to cancel and settle the batch in flight after the flush.
    await this.drainWhileDeliverable(deadline - Math.min(500, timeoutMs / 5), exiting);
    this.transport.close(); // cancels calls in flight: their batches settle as `unacknowledged` or `shutdown`
    const closed = Promise.all(PIPELINES.map((name) => this.pipelines[name].close()));
    const exited = whenAborted(exiting);
    await Promise.race([closed, sleep(Math.max(0, deadline - Date.now())), exited.promise]);
    exited.release();
    // Whatever close() did not settle in time (the process is exiting, or the deadline came) is counted now.
    for (const name of PIPELINES) this.pipelines[name].abandon();
    this.backends.dispose();
    this.exitWatch.dispose();
    this.diagnostics.flush(); // what shutdown itself held back: now, not from a timer after the agent is gone
    this.stopped = true;
    forgetAgent(this);
  }

  /**
   * Flushes until `deadline`, but no longer than delivery is possible: once every breaker is open with its next
   * probe after the deadline, what is queued cannot be sent in time, and shutdown() need not wait for it.
   */
  private async drainWhileDeliverable(deadline: number, exiting: AbortSignal): Promise<void> {
    const undeliverable = new AbortController();
    const check = (): void => {
      if (this.backends.restMs() >= deadline - Date.now()) undeliverable.abort();
    };
    check();
    const watch = setInterval(check, 100).unref();
    try {
      await this.flushPipelines(
        Math.max(0, deadline - Date.now()),
        AbortSignal.any([exiting, undeliverable.signal]),
      );
    } finally {
      clearInterval(watch);
    }
  }

  private createSink(): Sink {
    const { segments, logs, meters } = this.pipelines;
    const encodeInto = <T>(pipeline: Pipeline, encode: (item: T) => Uint8Array, item: T): void => {
      let frame: Uint8Array;
      try {
        frame = encode(item);
      } catch (error) {
        pipeline.reject();
        this.diagnostics.warn(
          `encode:${pipeline.name}`,
          `could not encode a ${pipeline.name} item: ${describeError(error)}`,
        );
        return;
      }
      pipeline.offer(frame);
    };
    const reportLogs = this.config.logReporterEnable;
    return {
      segment: (segment) => encodeInto(segments, encodeSegmentObject, segment),
      log: (record) => {
        if (reportLogs) encodeInto(logs, encodeLogData, record);
      },
      meters: (collection) => {
        for (const data of collection) encodeInto(meters, encodeMeterData, data);
      },
    };
  }

  /** pino is seen through its diagnostics channel (no import, no patch); console only when asked for. */
  private captureLogs(): void {
    const disabled = this.config.disablePlugins;
    if (!disabled.includes('pino')) this.disposers.add(instrumentPino(this.logger));
    if (this.config.captureConsole && !disabled.includes('console')) {
      this.disposers.add(captureConsole(this.logger));
      // grpc-js logs through console.error from its own callbacks: marked as the agent's, so they are not captured.
      this.disposers.add(guardGrpcLogs(runAsAgent));
    }
  }

  private reportOverflow(pipeline: PipelineName, phase: 'start' | 'end', dropped: number): void {
    runAsAgent(() => {
      if (phase === 'start') {
        this.diagnostics.warn(
          `overflow:${pipeline}`,
          `${pipeline} queue is full: dropping the oldest items until it drains`,
        );
      } else {
        // The same level as the start: whoever was told that data is being dropped is told how much was lost.
        this.diagnostics.warn(
          `overflow-end:${pipeline}`,
          // The total too: an episode whose end line fell in the throttle's window is still counted in the next.
          `${pipeline} queue has room again; ${dropped} items were dropped meanwhile (${this.pipelines[pipeline].stats().dropped.overflow} since start)`,
        );
      }
    });
  }

  /**
   * One line when a backend goes down (with the reason) and one when it is back, both at `warn`; each kind at most once per 30 s
   * per backend (the diagnostic logger's throttle), so a flapping backend cannot flood stderr. The probes in
   * between (open ⇄ half-open) are only shown at `debug`.
   */
  private watchBreakers(): void {
    for (const backend of this.backends.list) {
      const dispose = backend.policy.onStateChange(({ state, previous }) => {
        runAsAgent(() => {
          const key = `breaker:${backend.address}:${state}`;
          const line = `backend ${backend.address}: breaker ${previous} → ${state}`;
          if (state === 'closed') {
            // A breaker closes only after it opened: the end of an outage is told at the level its start was.
            this.diagnostics.warn(key, `${line}: reporting again`);
          } else if (state === 'open' && previous === 'closed') {
            const error = describeError(backend.policy.snapshot().lastError);
            this.diagnostics.warn(
              key,
              `${line}${error === undefined ? '' : ` (${error})`}: holding data, probing with keepAlive`,
            );
          } else if (state === 'isolated') {
            this.diagnostics.warn(key, `${line}: isolated by hand`);
          } else {
            this.diagnostics.debug(key, line);
          }
        });
      });
      this.disposers.add(dispose);
    }
  }

  /**
   * The pipelines' accounting and the breakers as `windsock_agent_*` gauges (`AGENT_METER`), so that OAP can chart
   * the agent's health per instance with the rule file `oap/windsock.yaml`. Counts are running totals, as
   * `status()` shows them; the rule file turns them into increases per minute.
   */
  private registerSelfMeters(): void {
    for (const name of PIPELINES) {
      const labels = { pipeline: name };
      const stats = (): ReturnType<Pipeline['stats']> => this.pipelines[name].stats();
      this.meter.gauge(AGENT_METER.produced, labels, () => stats().produced);
      this.meter.gauge(AGENT_METER.delivered, labels, () => stats().delivered);
      this.meter.gauge(AGENT_METER.queued, labels, () => stats().queued);
      this.meter.gauge(AGENT_METER.queuedBytes, labels, () => stats().queuedBytes);
      this.meter.gauge(AGENT_METER.inFlight, labels, () => stats().inFlight);
      for (const reason of [
        'overflow',
        'expired',
        'rejected',
        'unacknowledged',
        'shutdown',
      ] as const) {
        this.meter.gauge(AGENT_METER.dropped, { ...labels, reason }, () => stats().dropped[reason]);
      }
    }
    for (const backend of this.backends.list) {
      // 0 closed, 1 half-open, 2 open, 3 isolated: an OAP dashboard can plot it as a line.
      const level = { closed: 0, 'half-open': 1, open: 2, isolated: 3 } as const;
      this.meter.gauge(
        AGENT_METER.breakerState,
        { backend: backend.address },
        () => level[backend.policy.state],
      );
    }
  }

  private applyConfiguration(update: ConfigurationUpdate): void {
    const raw = update.values['agent.sample_rate'];
    if (raw === undefined) return;
    const rate = parseSampleRate(raw);
    if (rate === undefined) {
      this.diagnostics.warn(
        'cds:sample_rate',
        `ignored agent.sample_rate=${JSON.stringify(raw)} from configuration discovery`,
      );
      return;
    }
    this.tracer.setSampleRate(rate);
    this.diagnostics.info(
      'cds:sample_rate',
      `sample rate set to ${rate} by configuration discovery`,
    );
  }

  private installSignalHandlers(): void {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const handler = (): void => {
        void this.shutdown({ timeoutMs: this.config.reportTimeoutMs }).then(() => {
          // Keep the default meaning of the signal when nobody else listens: the process ends.
          if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
        });
      };
      process.once(signal, handler);
      this.disposers.add(() => process.removeListener(signal, handler));
    }
  }
}

function encodeMeterData(data: MeterData): Uint8Array {
  return encodeMessage(MeterData, data);
}

/** `agent.sample_rate` from OAP: a share in [0, 1], or per 10,000 as SkyWalking agents commonly express it. */
export function parseSampleRate(raw: string): number | undefined {
  const value = Number(raw.trim());
  if (raw.trim() === '' || !Number.isFinite(value) || value < 0) return undefined;
  if (value <= 1) return value;
  return value <= 10_000 ? value / 10_000 : undefined;
}

/** The tracer's instrumentations among the disabled plugins (`http` means both sides; https shares http's). */
function tracerPlugins(disabled: readonly string[]): string[] {
  const names = new Set<string>();
  for (const name of disabled) {
    if (name === 'http') names.add('http-server').add('http-client');
    else if (name === 'http-server' || name === 'http-client' || name === 'fetch') names.add(name);
  }
  return [...names];
}

function createTransportOrThrow(
  config: AgentConfig,
  isBackendOpen: (address: string) => boolean,
): Transport {
  try {
    return createTransport({
      backends: config.collector,
      secure: config.secure,
      ...(config.tlsCaPath === undefined ? {} : { caPath: config.tlsCaPath }),
      ...(config.tlsCertPath === undefined ? {} : { certPath: config.tlsCertPath }),
      ...(config.tlsKeyPath === undefined ? {} : { keyPath: config.tlsKeyPath }),
      ...(config.authentication === undefined ? {} : { authentication: config.authentication }),
      agentVersion: AGENT_VERSION,
      deadlines: {
        segments: config.reportTimeoutMs,
        logs: config.reportTimeoutMs,
        meters: config.reportTimeoutMs,
      },
      isBackendOpen,
      // grpc-js would wait up to 120 s between reconnection attempts, and a probe sent while the channel waits fails
      // at once. The channel therefore retries (one connection attempt, no data) at least once a second, so that by
      // the time the breaker's probe runs, a backend that came back is already connected: recovery then takes at
      // most the probe delay plus about a second.
      channelOptions: {
        'grpc.initial_reconnect_backoff_ms': Math.min(config.probeMinDelayMs, 1_000),
        'grpc.max_reconnect_backoff_ms': Math.min(config.probeMinDelayMs, 1_000),
      },
    });
  } catch (error) {
    // A certificate file that cannot be read is a configuration problem like any other.
    throw new ConfigError([
      {
        name: 'transport',
        value: config.collector.join(','),
        expected: describeError(error) ?? 'a usable transport',
      },
    ]);
  }
}

function timeoutOf(options: FlushOptions | undefined): number {
  const timeoutMs = options?.timeoutMs;
  return typeof timeoutMs === 'number' && Number.isFinite(timeoutMs) && timeoutMs >= 0
    ? timeoutMs
    : DEFAULT_TIMEOUT_MS;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

// One agent per process, shared by the ESM and CommonJS builds (which are separate module instances).
const AGENT_KEY = Symbol.for('windsock.agent');
type AgentSlot = { [AGENT_KEY]?: WindsockAgent };

/** The agent `start()` returned (from either build), until its `shutdown()` completes. */
export function runningAgent(): Agent | undefined {
  return (globalThis as AgentSlot)[AGENT_KEY];
}

function forgetAgent(agent: WindsockAgent): void {
  const slot = globalThis as AgentSlot;
  if (slot[AGENT_KEY] === agent) delete slot[AGENT_KEY];
}

/**
 * Starts the agent (or returns the one already running). Throws a ConfigError listing every invalid option or
 * `SW_*` variable; nothing else it does throws.
 */
export function start(options: AgentOptions = {}): Agent {
  const slot = globalThis as AgentSlot;
  const running = slot[AGENT_KEY];
  if (running !== undefined) {
    if (fingerprint(options) !== fingerprint(running.options)) {
      running.diagnostics.warn(
        'start:twice',
        'start() was called again with different options; the running agent keeps its configuration',
      );
    }
    return running;
  }
  const config = resolveConfig(options);
  // Everything the agent starts (its loops, timers, gRPC channels and every call they make) inherits a context in
  // which nothing is traced: the agent never traces its own reports, whatever instrumentation sees them.
  const agent = suppressTracing(() => new WindsockAgent(config, options));
  slot[AGENT_KEY] = agent;
  return agent;
}

function fingerprint(options: AgentOptions): string {
  return JSON.stringify(options, (_key, value: unknown) =>
    typeof value === 'function' ? 'function' : value,
  );
}
