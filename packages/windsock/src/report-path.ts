// The reporting half of the agent, built from the configuration and wired: the transport to OAP, the backend set
// (failover and one breaker per backend), the three pipelines (a queue and its drain loop each) and the heartbeat and
// configuration scheduler. The agent hands it what to report and asks it for status, flush and close.
import type { DiagnosticLogger, Sink } from '@windsock/core';
import { encodeLogData, encodeMessage, encodeSegmentObject, MeterData } from '@windsock/protocol';
import { BackendSet } from '@windsock/resilience';
import {
  createTransport,
  DEFAULT_RECONNECT_DELAY_MS,
  describeError,
  OptionsError,
  startManagementScheduler,
  transportResultClassifier,
  type ConfigurationUpdate,
  type ManagementScheduler,
  type Transport,
  type TransportResult,
} from '@windsock/transport';
import { ConfigError, type AgentConfig } from './config.js';
import { whenAborted } from './exit-watch.js';
import { tellOverflow } from './health-diagnostics.js';
import { AGENT_VERSION, instanceProperties } from './instance.js';
import { Pipeline, type PipelineName } from './pipeline.js';
import { agentState, backendStatus, pipelineStatus, type AgentStatus } from './status.js';

export interface FlushResult {
  /** True when everything queued at the call was settled (delivered or dropped) in time. */
  done: boolean;
  /** Items still queued or in flight, of those queued at the call, when it resolved. */
  remaining: number;
}

const PIPELINES: readonly PipelineName[] = ['segments', 'logs', 'meters'];

export class ReportPath {
  readonly backends: BackendSet<TransportResult>;
  readonly pipelines: Record<PipelineName, Pipeline>;
  private readonly transport: Transport;
  private readonly scheduler: ManagementScheduler;

  constructor(
    private readonly config: AgentConfig,
    private readonly diagnostics: DiagnosticLogger,
    onConfiguration: (update: ConfigurationUpdate) => void,
  ) {
    const transport = createTransportOrThrow(config);
    this.transport = transport;
    const identity = { service: config.serviceName, serviceInstance: config.serviceInstance };
    this.backends = new BackendSet<TransportResult>({
      addresses: config.collector,
      classifier: transportResultClassifier,
      probe: (backend, signal) =>
        transport.keepAlive({ ...identity, layer: '' }, { backend, signal }),
      policy: {
        // The transport's own deadline ends a call first, with its precise classification; this is the backstop.
        timeoutMs: config.reportTimeoutMs + 1_000,
        retry: {
          maxAttempts: config.retryMaxAttempts,
          initialDelayMs: config.retryInitialDelayMs,
          maxDelayMs: config.retryMaxDelayMs,
        },
        breaker: { kind: 'consecutive', threshold: config.breakerThreshold },
        halfOpen: { initialDelayMs: config.probeMinDelayMs, maxDelayMs: config.probeMaxDelayMs },
      },
    });
    const send = {
      segments: transport.sendSegments.bind(transport),
      logs: transport.sendLogs.bind(transport),
      meters: transport.sendMeters.bind(transport),
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
        send: (frames, backend, signal) => send[name](frames, { backend, signal }),
        onOverflow: (pipeline, phase, dropped) => {
          const total = pipelines[pipeline].stats().dropped.overflow;
          tellOverflow(diagnostics, pipeline, phase, dropped, total);
        },
      });
    }
    this.pipelines = pipelines;
    this.scheduler = startManagementScheduler(transport, {
      ...identity,
      properties: instanceProperties(),
      heartbeatIntervalMs: config.heartbeatIntervalMs,
      cdsIntervalMs: config.cdsIntervalMs,
      usable: this.backends.usable,
      onConfiguration,
    });
  }

  /** Where the tracer, logger and meters put what they produce: encoded once, on the producer's call. */
  sink(): Sink {
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

  status(stopped: boolean): AgentStatus {
    const pipelines = {} as AgentStatus['pipelines'];
    for (const name of PIPELINES) pipelines[name] = pipelineStatus(this.pipelines[name].stats());
    return {
      state: agentState(this.backends.states(), stopped),
      backends: this.backends.list.map(backendStatus),
      pipelines,
    };
  }

  /** Settles at the timeout, or at once when `signal` aborts. */
  async flush(timeoutMs: number, signal: AbortSignal): Promise<FlushResult> {
    const results = await Promise.all(
      PIPELINES.map((name) => this.pipelines[name].flush(timeoutMs, signal)),
    );
    return {
      done: results.every((r) => r.done),
      remaining: results.reduce((sum, r) => sum + r.remaining, 0),
    };
  }

  /** No more heartbeats or configuration polls. */
  stopScheduler(): void {
    this.scheduler.stop();
  }

  /**
   * Sends what is queued until shortly before `deadline`, then cancels what is in flight and counts whatever could
   * not settle by the deadline (or by the process exiting): after it, status() accounts for every item.
   */
  async close(deadline: number, timeoutMs: number, exiting: AbortSignal): Promise<void> {
    // Keep a little time to cancel and settle the batch in flight after the flush.
    await this.drainWhileDeliverable(deadline - Math.min(500, timeoutMs / 5), exiting);
    this.transport.close(); // cancels calls in flight: their batches settle as `unacknowledged` or `shutdown`
    const closed = Promise.all(PIPELINES.map((name) => this.pipelines[name].close()));
    const ended = whenAborted(
      AbortSignal.any([exiting, AbortSignal.timeout(Math.max(0, deadline - Date.now()))]),
    );
    await Promise.race([closed, ended.promise]);
    ended.release();
    for (const name of PIPELINES) this.pipelines[name].abandon();
    this.backends.dispose();
  }

  /**
   * Flushes until `deadline`, but no longer than delivery is possible: once every breaker is open with its next
   * probe after the deadline, what is queued cannot be sent in time, and shutdown() need not wait for it.
   */
  private async drainWhileDeliverable(deadline: number, exiting: AbortSignal): Promise<void> {
    const undeliverable = this.backends.undeliverableBefore(deadline);
    try {
      const timeoutMs = Math.max(0, deadline - Date.now());
      await this.flush(timeoutMs, AbortSignal.any([exiting, undeliverable.signal]));
    } finally {
      undeliverable.release();
    }
  }
}

function encodeMeterData(data: MeterData): Uint8Array {
  return encodeMessage(MeterData, data);
}

function createTransportOrThrow(config: AgentConfig): Transport {
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
      // A backend that came back is connected again before the breaker's first probe runs.
      reconnectDelayMs: Math.min(config.probeMinDelayMs, DEFAULT_RECONNECT_DELAY_MS),
    });
  } catch (error) {
    // A certificate file that cannot be read is a configuration problem like any other.
    throw new ConfigError(
      error instanceof OptionsError
        ? error.problems
        : [
            {
              name: 'transport',
              value: config.collector.join(','),
              expected: describeError(error),
            },
          ],
    );
  }
}
