import { type Metadata, status } from '@grpc/grpc-js';
import {
  type ConfigurationSyncRequest,
  ConfigurationDiscoveryServiceDefinition,
  encodeSegmentCollection,
  EventServicePassThroughDefinition,
  type InstancePingPkg,
  type InstanceProperties,
  LogReportServicePassThroughDefinition,
  ManagementServiceDefinition,
  MeterReportServicePassThroughDefinition,
  TraceSegmentReportServicePassThroughDefinition,
} from '@windsock/protocol';
import { OptionChecks } from '@windsock/options';
import { Backend, type BackendState, type HealthListener } from './backend.js';
import { invokeBurst } from './burst-call.js';
import { type CallSpec, failure, invoke } from './call.js';
import { callMetadataFor, channelCredentialsFor, tlsFilesFor } from './credentials.js';
import {
  type CallKind,
  channelOptionsFor,
  INVALID_TRANSPORT_OPTIONS,
  parseBackends,
  resolveDeadlines,
  type TransportOptions,
} from './options.js';
import { type TransportResult } from './results.js';

export interface CallOptions {
  /** Aborting cancels the call; it then resolves CANCELLED (`safe` if nothing was sent yet, else `unsafe`). */
  signal?: AbortSignal;
  /**
   * The backend (`host:port`, as configured) to send to; default the first configured. The transport never picks
   * another: choosing backends and failing over between them is the caller's (windsock's `BackendSet`).
   */
  backend?: string;
}

/** The gRPC transport to OAP. Every method resolves to a result; none rejects or throws. */
export interface Transport {
  /** Pre-encoded `SegmentObject` frames. */
  sendSegments(frames: readonly Uint8Array[], options?: CallOptions): Promise<TransportResult>;
  /** Pre-encoded `LogData` frames. */
  sendLogs(frames: readonly Uint8Array[], options?: CallOptions): Promise<TransportResult>;
  /** Pre-encoded `MeterData` frames. */
  sendMeters(frames: readonly Uint8Array[], options?: CallOptions): Promise<TransportResult>;
  /** Pre-encoded `Event` frames. */
  sendEvents(frames: readonly Uint8Array[], options?: CallOptions): Promise<TransportResult>;
  /** The heartbeat, and the report policy's cheap half-open probe. */
  keepAlive(ping: InstancePingPkg, options?: CallOptions): Promise<TransportResult>;
  reportInstanceProperties(
    properties: InstanceProperties,
    options?: CallOptions,
  ): Promise<TransportResult>;
  /** Answers with a `ConfigurationDiscoveryCommand` when the configuration differs from `request.uuid`. */
  fetchConfigurations(
    request: ConfigurationSyncRequest,
    options?: CallOptions,
  ): Promise<TransportResult>;
  /** Every configured backend with its health, in configuration order. */
  backends(): BackendState[];
  /** Subscribes to backend health changes; returns the function that unsubscribes. */
  onHealthChange(listener: HealthListener): () => void;
  readonly closed: boolean;
  /** Cancels every call in flight and releases the channels; later calls resolve CANCELLED with `never`. */
  close(): void;
}

/**
 * Creates the transport. Throws only here, for bad configuration (an empty or malformed backend list, an unreadable
 * certificate file, a bad deadline): one `OptionsError` listing every problem.
 */
export function createTransport(options: TransportOptions): Transport {
  const check = new OptionChecks();
  const addresses = parseBackends(options.backends, check);
  const deadlines = resolveDeadlines(options.deadlines, check);
  const tls = tlsFilesFor(options, check);
  const channelOptions = channelOptionsFor(options, check);
  check.throwIfAny(INVALID_TRANSPORT_OPTIONS);
  const credentials = channelCredentialsFor(tls);
  const burstTls = options.clientStreams === 'grpc-js' ? undefined : tls;
  const metadata = callMetadataFor(options);
  const listeners = new Set<HealthListener>();
  const notify: HealthListener = (address, health, previous) => {
    for (const listener of [...listeners]) {
      try {
        listener(address, health, previous);
      } catch {
        // A listener's bug must not break the transport or reach the network callbacks that called us.
      }
    }
  };
  const backends = addresses.map(
    (address) => new Backend(address, credentials, channelOptions, notify, burstTls),
  );
  return new GrpcTransport(backends, deadlines, metadata, listeners, options);
}

const SEGMENTS = TraceSegmentReportServicePassThroughDefinition;

class GrpcTransport implements Transport {
  private isClosed = false;
  /** What grpc-js would send as `user-agent`, so the backend sees one agent whichever path a call took. */
  private readonly userAgent: string;

  constructor(
    private readonly all: Backend[],
    private readonly deadlines: Record<CallKind, number>,
    private readonly metadata: Metadata,
    private readonly listeners: Set<HealthListener>,
    private readonly options: TransportOptions,
  ) {
    this.userAgent = `windsock/${options.agentVersion ?? 'unknown'} (node:http2)`;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  sendSegments(frames: readonly Uint8Array[], options?: CallOptions): Promise<TransportResult> {
    if (this.options.segmentsCall !== 'unary') {
      return this.send('segments', SEGMENTS.collect, frames, options);
    }
    // One SegmentCollection built from the frames without decoding them: one message, one HTTP/2 DATA burst.
    const batch = frames.length === 0 ? [] : [encodeSegmentCollection(frames)];
    return this.send('segments', SEGMENTS.collectInSync, batch, options);
  }

  sendLogs(frames: readonly Uint8Array[], options?: CallOptions): Promise<TransportResult> {
    return this.send('logs', LogReportServicePassThroughDefinition.collect, frames, options);
  }

  sendMeters(frames: readonly Uint8Array[], options?: CallOptions): Promise<TransportResult> {
    return this.send('meters', MeterReportServicePassThroughDefinition.collect, frames, options);
  }

  sendEvents(frames: readonly Uint8Array[], options?: CallOptions): Promise<TransportResult> {
    return this.send('events', EventServicePassThroughDefinition.collect, frames, options);
  }

  keepAlive(ping: InstancePingPkg, options?: CallOptions): Promise<TransportResult> {
    return this.send('keepAlive', ManagementServiceDefinition.keepAlive, [ping], options);
  }

  reportInstanceProperties(
    properties: InstanceProperties,
    options?: CallOptions,
  ): Promise<TransportResult> {
    const method = ManagementServiceDefinition.reportInstanceProperties;
    return this.send('instanceProperties', method, [properties], options);
  }

  fetchConfigurations(
    request: ConfigurationSyncRequest,
    options?: CallOptions,
  ): Promise<TransportResult> {
    const method = ConfigurationDiscoveryServiceDefinition.fetchConfigurations;
    return this.send('configurations', method, [request], options);
  }

  backends(): BackendState[] {
    return this.all.map((backend) => backend.state());
  }

  onHealthChange(listener: HealthListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.listeners.clear();
    for (const backend of this.all) backend.close();
  }

  private async send<Request>(
    kind: CallKind,
    method: CallSpec<Request>['method'],
    messages: readonly Request[],
    options: CallOptions = {},
  ): Promise<TransportResult> {
    const backend =
      options.backend === undefined
        ? this.all[0]
        : this.all.find((candidate) => candidate.address === options.backend);
    if (backend === undefined) {
      const reason = `UNAVAILABLE: ${JSON.stringify(options.backend)} is not a configured backend`;
      return failure(options.backend ?? '', status.UNAVAILABLE, reason, 'safe');
    }
    if (this.isClosed) {
      return failure(
        backend.address,
        status.CANCELLED,
        'CANCELLED: the transport is closed',
        'never',
      );
    }
    if (messages.length === 0) {
      // Nothing to send is trivially delivered; no call, so no empty stream for OAP to log.
      return { ok: true, commands: [], backend: backend.address };
    }
    const spec: CallSpec<Request> = {
      method,
      messages,
      deadlineMs: this.deadlines[kind],
      metadata: this.metadata,
      signal: options.signal,
    };
    const result =
      method.requestStream && this.options.clientStreams !== 'grpc-js'
        ? await invokeBurst(backend.burst, backend.address, spec, backend.track, this.userAgent)
        : await invoke(backend.client, backend.address, spec, backend.track);
    backend.observe(result, options.signal?.aborted === true || this.isClosed);
    return result;
  }
}
