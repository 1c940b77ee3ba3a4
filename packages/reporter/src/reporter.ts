// The reporting half of the agent, wired from plain options: the transport to OAP, the backend set (failover and one
// breaker per backend), the three pipelines (a queue and its drain loop each) and the heartbeat and configuration
// scheduler. Producers put into its sink; the agent asks it for status, flush and close.
import type { MeterRegistry, Sink } from '@windsock/core';
import { encodeMessage, FrameEncoder, MeterData } from '@windsock/protocol';
import { OptionsError } from '@windsock/options';
import { BackendSet } from '@windsock/resilience';
import {
  createTransport,
  DEFAULT_RECONNECT_DELAY_MS,
  describeError,
  startManagementScheduler,
  transportResultClassifier,
  type ManagementScheduler,
  type Transport,
  type TransportResult,
} from '@windsock/transport';
import { ExitWatch, whenAborted } from './exit-watch.js';
import { tellBreakerChanges, tellOverflow } from './health-diagnostics.js';
import { instanceProperties } from './instance.js';
import type { ReporterOptions } from './options.js';
import { Pipeline, type PipelineName } from './pipeline.js';
import { registerSelfMeters } from './self-meters.js';
import { agentState, backendStatus, pipelineStatus, type AgentStatus } from './status.js';

export interface FlushResult {
  /** True when everything queued at the call was settled (delivered or dropped) in time. */
  done: boolean;
  /** Items still queued or in flight, of those queued at the call, when it resolved. */
  remaining: number;
}

const PIPELINES: readonly PipelineName[] = ['segments', 'logs', 'meters'];

export class Reporter {
  /** Where the tracer, logger and meters put what they produce: encoded once, on the producer's call. */
  readonly sink: Sink;
  readonly backends: BackendSet<TransportResult>;
  readonly pipelines: Record<PipelineName, Pipeline>;
  private readonly transport: Transport;
  private readonly scheduler: ManagementScheduler;
  private readonly stopWatchingBreakers: () => void;
  private readonly exitWatch = new ExitWatch();
  private closed = false;

  /** Throws an OptionsError listing every problem of the options (a certificate file that cannot be read, say). */
  constructor(private readonly options: ReporterOptions) {
    const transport = createTransportOrThrow(options);
    this.transport = transport;
    const pipelines = {} as Record<PipelineName, Pipeline>;
    try {
      const identity = { service: options.serviceName, serviceInstance: options.serviceInstance };
      this.backends = new BackendSet<TransportResult>({
        addresses: options.backends,
        classifier: transportResultClassifier,
        probe: (backend, signal) =>
          transport.keepAlive({ ...identity, layer: '' }, { backend, signal }),
        policy: {
          // The transport's own deadline ends a call first, with its precise classification; this is the backstop.
          timeoutMs: options.reportTimeoutMs + 1_000,
          retry: options.retry,
          breaker: { kind: 'consecutive', threshold: options.breakerThreshold },
          halfOpen: {
            initialDelayMs: options.probe.minDelayMs,
            maxDelayMs: options.probe.maxDelayMs,
          },
        },
      });
      this.stopWatchingBreakers = tellBreakerChanges(this.backends, options.diagnostics);
      const send = {
        segments: transport.sendSegments.bind(transport),
        logs: transport.sendLogs.bind(transport),
        meters: transport.sendMeters.bind(transport),
      };
      for (const name of PIPELINES) {
        pipelines[name] = new Pipeline({
          name,
          ...options.queue,
          backends: this.backends,
          send: (frames, backend, signal) => send[name](frames, { backend, signal }),
          onOverflow: (pipeline, phase, dropped) => {
            const total = pipelines[pipeline].stats().dropped.overflow;
            tellOverflow(options.diagnostics, pipeline, phase, dropped, total);
          },
        });
      }
      this.scheduler = startManagementScheduler(transport, {
        ...identity,
        properties: instanceProperties(options.agentVersion),
        heartbeatIntervalMs: options.heartbeatIntervalMs,
        cdsIntervalMs: options.cdsIntervalMs,
        usable: this.backends.usable,
        ...(options.onConfiguration === undefined
          ? {}
          : { onConfiguration: options.onConfiguration }),
      });
    } catch (error) {
      // A bad option found after the transport opened: nothing stays open behind the throw.
      transport.close();
      for (const pipeline of Object.values(pipelines)) void pipeline.close();
      const partial = this as unknown as {
        backends?: BackendSet<TransportResult>;
        stopWatchingBreakers?: () => void;
      };
      partial.stopWatchingBreakers?.();
      partial.backends?.dispose();
      throw error;
    }
    this.pipelines = pipelines;
    this.sink = this.createSink();
  }

  /** The reporter's health as `windsock_agent_*` gauges of `meter`. */
  registerSelfMeters(meter: MeterRegistry): void {
    registerSelfMeters(meter, this.pipelines, this.backends);
  }

  /** Cheap and synchronous: for every pipeline, produced === delivered + Σ dropped + queued + inFlight. */
  status(): AgentStatus {
    const pipelines = {} as AgentStatus['pipelines'];
    for (const name of PIPELINES) pipelines[name] = pipelineStatus(this.pipelines[name].stats());
    return {
      state: agentState(this.backends.states(), this.closed),
      backends: this.backends.list.map(backendStatus),
      pipelines,
    };
  }

  /** Sends what is queued now; settles at the timeout, or at once when the process is about to exit. */
  flush(timeoutMs: number): Promise<FlushResult> {
    return this.exitWatch.during((exiting) => this.flushUntil(timeoutMs, exiting));
  }

  /**
   * Stops heartbeats and configuration polls, sends what is queued until shortly before the timeout, then cancels
   * what is in flight and counts whatever could not settle in time (or before the process exits): after it,
   * status() accounts for every item.
   */
  close(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    this.scheduler.stop();
    this.stopWatchingBreakers();
    return this.exitWatch.during(async (exiting) => {
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
      this.exitWatch.dispose();
      this.closed = true;
    });
  }

  private async flushUntil(timeoutMs: number, signal: AbortSignal): Promise<FlushResult> {
    const results = await Promise.all(
      PIPELINES.map((name) => this.pipelines[name].flush(timeoutMs, signal)),
    );
    return {
      done: results.every((r) => r.done),
      remaining: results.reduce((sum, r) => sum + r.remaining, 0),
    };
  }

  /**
   * Flushes until `deadline`, but no longer than delivery is possible: once every breaker is open with its next
   * probe after the deadline, what is queued cannot be sent in time, and close() need not wait for it.
   */
  private async drainWhileDeliverable(deadline: number, exiting: AbortSignal): Promise<void> {
    const undeliverable = this.backends.undeliverableBefore(deadline);
    try {
      const timeoutMs = Math.max(0, deadline - Date.now());
      await this.flushUntil(timeoutMs, AbortSignal.any([exiting, undeliverable.signal]));
    } finally {
      undeliverable.release();
    }
  }

  private createSink(): Sink {
    const { segments, logs, meters } = this.pipelines;
    const { diagnostics, reportLogs } = this.options;
    // Frames are cut from this reporter's own slabs, so two agents in one process share no encoding state.
    const encoder = new FrameEncoder();
    const encodeInto = <T>(pipeline: Pipeline, encode: (item: T) => Uint8Array, item: T): void => {
      let frame: Uint8Array;
      try {
        frame = encode(item);
      } catch (error) {
        pipeline.reject();
        diagnostics.warn(
          `encode:${pipeline.name}`,
          `could not encode a ${pipeline.name} item: ${describeError(error)}`,
        );
        return;
      }
      pipeline.offer(frame);
    };
    return {
      segment: (segment) => encodeInto(segments, encoder.segment, segment),
      log: (record) => {
        if (reportLogs) encodeInto(logs, encoder.log, record);
      },
      meters: (collection) => {
        for (const data of collection) encodeInto(meters, encodeMeterData, data);
      },
    };
  }
}

function encodeMeterData(data: MeterData): Uint8Array {
  return encodeMessage(MeterData, data);
}

function createTransportOrThrow(options: ReporterOptions): Transport {
  try {
    return createTransport({
      backends: options.backends,
      ...options.security,
      agentVersion: options.agentVersion,
      deadlines: {
        segments: options.reportTimeoutMs,
        logs: options.reportTimeoutMs,
        meters: options.reportTimeoutMs,
      },
      // A backend that came back is connected again before the breaker's first probe runs.
      reconnectDelayMs: Math.min(options.probe.minDelayMs, DEFAULT_RECONNECT_DELAY_MS),
    });
  } catch (error) {
    // A certificate file that cannot be read is an options problem like any other.
    if (error instanceof OptionsError) throw error;
    throw new OptionsError(
      [{ name: 'transport', value: options.backends.join(','), expected: describeError(error) }],
      'windsock reporter: invalid options',
    );
  }
}
