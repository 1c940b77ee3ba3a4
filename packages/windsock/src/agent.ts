// The facade: options → configuration → the parts (the reporter, then the tracer, logger, meters and
// instrumentations that feed it) → the API. It owns no loop, timer or state machine: each lives in its own package.
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
  type Tracer,
} from '@windsock/core';
import {
  instrumentWinston,
  type InstrumentWinstonOptions,
  type WinstonLoggerLike,
} from '@windsock/core/winston';
import { enableInstrumentations, INSTRUMENTATIONS } from '@windsock/instrumentations';
import type { AgentStatus, FlushResult, Reporter } from '@windsock/reporter';
import { guardGrpcLogs } from '@windsock/transport';
import { resolveConfig, type AgentConfig, type AgentOptions } from './config.js';
import { applyConfiguration } from './configuration-discovery.js';
import { createReporter } from './reporter-from-config.js';
import { shutdownOnSignals } from './signals.js';

export type { FlushResult } from '@windsock/reporter';

export interface FlushOptions {
  /** Default 5 000 ms. */
  timeoutMs?: number;
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
   * Reports one winston logger (and its children) with trace correlation. Loggers winston creates after the agent
   * started are instrumented without it; this is for one created before. Returns a disposer. A no-op when `winston`
   * is in `disablePlugins` or after `shutdown()`; with `logReporterEnable: false` its lines are correlated but not
   * reported, as pino's.
   */
  instrumentWinston(logger: WinstonLoggerLike, options?: InstrumentWinstonOptions): () => void;
}

const DEFAULT_TIMEOUT_MS = 5_000;

class WindsockAgent implements Agent {
  readonly tracer: Tracer;
  readonly logger: Logger;
  readonly meter: MeterRegistry;
  /** The agent's own throttled diagnostic output (stderr or the `diagnostics` option), never a reported logger. */
  readonly diagnostics: DiagnosticLogger;
  private readonly reporter: Reporter;
  private readonly disposers = new Set<() => void>();
  /** The disposer handed out for each logger's undo, so a logger handed over twice gets the same one. */
  private readonly winstonDisposers = new WeakMap<() => void, () => void>();
  private stopping: Promise<void> | undefined;

  constructor(
    readonly config: AgentConfig,
    readonly options: AgentOptions,
  ) {
    this.diagnostics = createDiagnosticLogger({
      level: config.loggingLevel,
      ...(options.diagnostics === undefined ? {} : { write: options.diagnostics }),
    });
    this.reporter = createReporter(config, this.diagnostics, (update) =>
      applyConfiguration(update, this.tracer, this.diagnostics),
    );
    const sink = this.reporter.sink;
    const identity = { serviceName: config.serviceName, serviceInstance: config.serviceInstance };
    this.tracer = createTracer({
      ...identity,
      sink,
      sampleRate: config.sampleRate,
      maxErrorStackLength: config.errorStackMaxLength,
      ignorePaths: config.traceIgnorePath,
      ignoreMethods: config.httpIgnoreMethod,
    });
    this.logger = createLogger({ ...identity, tracer: this.tracer, sink });
    this.meter = createMeterRegistry({
      ...identity,
      sink,
      intervalMs: config.meterIntervalMs,
      runtimeMeters: config.runtimeMetersEnable,
    });
    const disabled = disabledInstrumentations(config);
    this.disposers.add(
      enableInstrumentations(
        INSTRUMENTATIONS,
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
        disabled,
      ),
    );
    // grpc-js logs through console.error from its own callbacks: marked as the agent's, so they are not captured.
    if (!disabled.includes('console')) this.disposers.add(guardGrpcLogs(runAsAgent));
    this.reporter.registerSelfMeters(this.meter);
    if (config.meterReporterEnable) this.meter.start();
    if (config.shutdownOnSignals) {
      this.disposers.add(
        shutdownOnSignals(() => this.shutdown({ timeoutMs: config.reportTimeoutMs })),
      );
    }
  }

  status(): AgentStatus {
    return this.reporter.status();
  }

  flush(options: FlushOptions = {}): Promise<FlushResult> {
    return this.reporter.flush(timeoutOf(options));
  }

  shutdown(options: FlushOptions = {}): Promise<void> {
    this.stopping ??= this.stop(timeoutOf(options));
    return this.stopping;
  }

  instrumentWinston(logger: WinstonLoggerLike, options?: InstrumentWinstonOptions): () => void {
    if (this.stopping !== undefined || this.config.disablePlugins.includes('winston'))
      return () => {};
    // Core instruments a logger once, however often it is handed over (or seen created by the winston hook).
    const undo = instrumentWinston(logger, this.logger, options);
    const known = this.winstonDisposers.get(undo);
    if (known !== undefined) return known;
    const dispose = (): void => {
      undo();
      this.disposers.delete(dispose); // a disposed logger is not kept alive by the agent
    };
    this.disposers.add(dispose);
    this.winstonDisposers.set(undo, dispose);
    return dispose;
  }

  private async stop(timeoutMs: number): Promise<void> {
    // Produce nothing new, except the meters' last collection: what was counted since the previous one would
    // otherwise be lost (a process that lives less than one interval would report no meters at all).
    this.tracer.disable();
    if (this.config.meterReporterEnable) this.meter.report();
    this.meter.stop();
    // The last word on each diagnostic key, while the loggers it may go through still know it as the agent's.
    this.diagnostics.flush();
    // Last in, first out: an instrumentation added on top of another is undone before it.
    for (const dispose of [...this.disposers].reverse()) dispose();
    this.disposers.clear();
    await this.reporter.close(timeoutMs);
    this.diagnostics.flush(); // what shutdown itself held back: now, not from a timer after the agent is gone
    forgetAgent(this);
  }
}

/**
 * The registry's names left off: `disablePlugins` (`http` means both sides; https shares http's), console unless
 * `captureConsole` asks for it, and the pino and console capture when logs are not reported at all.
 */
function disabledInstrumentations(config: AgentConfig): string[] {
  const names = new Set(config.disablePlugins);
  if (names.has('http')) names.add('http-server').add('http-client');
  if (!config.captureConsole || !config.logReporterEnable) names.add('console');
  if (!config.logReporterEnable) names.add('pino');
  return [...names];
}

function timeoutOf(options: FlushOptions | undefined): number {
  const timeoutMs = options?.timeoutMs;
  return typeof timeoutMs === 'number' && Number.isFinite(timeoutMs) && timeoutMs >= 0
    ? timeoutMs
    : DEFAULT_TIMEOUT_MS;
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
