import { Server, ServerCredentials } from '@grpc/grpc-js';
import type { Event, LogData, MeterData, SegmentObject } from '@windsock/protocol';
import { OptionChecks } from '@windsock/options';
import { type AgentConfiguration } from './configuration.js';
import {
  applyCallFault,
  type Fault,
  isListenerFault,
  type ListenerMode,
  parseFault,
  SERVICE_NAMES,
  type ServiceFaults,
  type ServiceName,
} from './fault.js';
import { startFlapping } from './flap.js';
import { INVALID_COLLECTOR_OPTIONS } from './ring.js';
import { PortGate } from './gate.js';
import { addSkyWalkingServices } from './services.js';
import {
  type CollectorCounts,
  CollectorStore,
  type InstanceRecord,
  type RequestRecord,
} from './store.js';
import { TimerSet } from './timers.js';
import { summarizeTraces, type TraceSummary } from './traces.js';
import { ConditionWaiters, type NotYet } from './waiters.js';

/** Server certificate and key (PEM); with `clientCa`, clients must present a certificate signed by it (mTLS). */
export interface CollectorTlsOptions {
  cert: string | Buffer;
  key: string | Buffer;
  clientCa?: string | Buffer;
}

export interface CollectorOptions {
  /** Interface to listen on; default `127.0.0.1`. */
  host?: string;
  /** Port to listen on; default 0, which picks a free port (read it back from `port`). */
  port?: number;
  tls?: CollectorTlsOptions;
  /** Require this `authentication` metadata on every call (same as `setFault(fault.auth(token))`). */
  token?: string;
  /** How many items of each kind (segments, logs, meters, events, requests, instances) to keep; default 10,000. */
  retain?: number;
  /** The configuration `ConfigurationDiscoveryService` hands out; none by default. */
  configuration?: AgentConfiguration;
  /** Source of randomness for `fail` ratios; inject a seeded one for reproducible runs. Default `Math.random`. */
  random?: () => number;
}

/** The faults in force. */
export interface FaultState {
  listener: ListenerMode;
  /** Set while flapping; `listener` then shows the current phase. */
  flappingPeriodMs?: number;
  services: Record<ServiceName, ServiceFaults>;
}

export interface CollectorStatus {
  address: string;
  listener: ListenerMode;
  /** gRPC connections currently open. */
  openConnections: number;
  /** Connections held unanswered by `blackhole`. */
  heldConnections: number;
  /** The latest error of a flapping switch (e.g. the port was taken while refusing). */
  lastListenerError?: string;
}

export interface Collector {
  /** `host:port` to give a gRPC client, e.g. `127.0.0.1:11800`. */
  readonly address: string;
  readonly host: string;
  /** The listening port; it stays the same through `refuse`, `flap` and back to `up`. */
  readonly port: number;
  /** Switches a fault at run time; call faults apply to `services` (default: all of them). */
  setFault(fault: Fault, options?: { services?: readonly ServiceName[] }): Promise<void>;
  faults(): FaultState;
  /** Replaces the configuration `ConfigurationDiscoveryService` hands out (undefined: none). */
  setConfiguration(configuration: AgentConfiguration | undefined): void;
  segments(): SegmentObject[];
  logs(): LogData[];
  meters(): MeterData[];
  events(): Event[];
  instances(): InstanceRecord[];
  /** Recent calls with their `authentication` and `agent-version` metadata and outcome. */
  requests(): RequestRecord[];
  counts(): CollectorCounts;
  /** The most recently started traces among the retained segments. */
  traces(limit?: number): TraceSummary[];
  /**
   * Resolves with the condition's value once it is truthy; it is re-checked whenever a call starts or ends, a connection
   * opens or closes, or the listener switches. Rejects after `timeoutMs`.
   */
  waitFor<T>(condition: (collector: Collector) => T | NotYet, timeoutMs: number): Promise<T>;
  /** Forgets everything retained and resets every counter (faults stay). */
  clear(): void;
  status(): CollectorStatus;
  /** Stops listening, drops every connection and cancels every timer; idempotent. */
  stop(): Promise<void>;
}

const DEFAULT_RETAIN = 10_000;

/** Starts a SkyWalking v3 collector: a real @grpc/grpc-js server with run-time fault injection. */
export async function startCollector(options: CollectorOptions = {}): Promise<Collector> {
  const check = new OptionChecks();
  if (options.retain !== undefined) check.integer('retain', options.retain, { min: 0 });
  if (options.port !== undefined) check.integer('port', options.port, { min: 0, max: 65_535 });
  if (options.random !== undefined) check.function('random', options.random);
  check.throwIfAny(INVALID_COLLECTOR_OPTIONS);
  const host = options.host ?? '127.0.0.1';
  const waiters = new ConditionWaiters();
  const store = new CollectorStore(options.retain ?? DEFAULT_RETAIN, () => waiters.notify());
  const timers = new TimerSet();
  const serviceFaults = Object.fromEntries(
    SERVICE_NAMES.map((name) => [
      name,
      options.token === undefined ? {} : { token: options.token },
    ]),
  ) as Record<ServiceName, ServiceFaults>;
  let configuration = options.configuration;
  let stopFlapping: (() => void) | undefined;
  let flappingPeriodMs: number | undefined;
  let lastListenerError: string | undefined;
  let stopped: Promise<void> | undefined;

  // Generous message limits: a test may send big batches, and the limit under test is the agent's own.
  const server = new Server({
    'grpc.max_receive_message_length': 64 * 1024 * 1024,
  });
  const injector = server.createConnectionInjector(serverCredentials(options.tls));
  const gate = new PortGate(
    host,
    options.port ?? 0,
    (socket) => injector.injectConnection(socket),
    () => waiters.notify(),
  );
  addSkyWalkingServices(
    server,
    {
      store,
      faultsOf: (service) => serviceFaults[service],
      dropConnection: (peer) => gate.dropConnection(peer),
      isConnected: (peer) => gate.isConnected(peer),
      onDisconnect: (peer, listener) => gate.onDisconnect(peer, listener),
      random: options.random ?? Math.random,
      timers,
    },
    () => configuration,
  );

  try {
    await gate.setMode('up');
  } catch (error) {
    injector.destroy();
    server.forceShutdown();
    throw error;
  }

  const endFlapping = (): void => {
    stopFlapping?.();
    stopFlapping = undefined;
    flappingPeriodMs = undefined;
  };

  const collector: Collector = {
    address: `${host.includes(':') ? `[${host}]` : host}:${gate.port}`,
    host,
    port: gate.port,

    async setFault(input, { services } = {}) {
      const requested = parseFault(input);
      if (stopped !== undefined) throw new Error('the collector is stopped');
      if (isListenerFault(requested)) {
        if (services !== undefined) {
          throw new TypeError(
            `${requested.type} acts on the port, so on every service; omit services`,
          );
        }
        endFlapping();
        if (requested.type === 'flap') {
          flappingPeriodMs = requested.periodMs;
          stopFlapping = startFlapping(
            (mode) => gate.setMode(mode),
            requested.periodMs,
            (error) => {
              lastListenerError = error instanceof Error ? error.message : String(error);
            },
          );
          return;
        }
        await gate.setMode(requested.type);
        return;
      }
      for (const name of services ?? SERVICE_NAMES) {
        serviceFaults[name] = applyCallFault(serviceFaults[name], requested);
      }
      if (requested.type === 'up') {
        endFlapping();
        await gate.setMode('up');
      }
    },

    faults: () => ({
      listener: gate.mode,
      ...(flappingPeriodMs === undefined ? {} : { flappingPeriodMs }),
      services: Object.fromEntries(
        SERVICE_NAMES.map((name) => [name, structuredClone(serviceFaults[name])]),
      ) as Record<ServiceName, ServiceFaults>,
    }),

    setConfiguration(next) {
      configuration = next;
    },

    segments: () => store.segments(),
    logs: () => store.logs(),
    meters: () => store.meters(),
    events: () => store.events(),
    instances: () => store.instances(),
    requests: () => store.requests(),
    counts: () => store.counts(),
    traces: (limit = 50) => summarizeTraces(store.segments(), limit),
    waitFor: (condition, timeoutMs) => waiters.waitFor(() => condition(collector), timeoutMs),
    clear: () => store.clear(),

    status: () => ({
      address: collector.address,
      listener: gate.mode,
      openConnections: gate.openConnections,
      heldConnections: gate.heldConnections,
      ...(lastListenerError === undefined ? {} : { lastListenerError }),
    }),

    stop() {
      stopped ??= (async () => {
        endFlapping();
        timers.clear();
        waiters.failAll(new Error('the collector stopped'));
        await gate.close();
        injector.destroy();
        server.forceShutdown();
      })();
      return stopped;
    },
  };
  return collector;
}

function serverCredentials(tls: CollectorTlsOptions | undefined): ServerCredentials {
  if (tls === undefined) return ServerCredentials.createInsecure();
  return ServerCredentials.createSsl(
    tls.clientCa === undefined ? null : Buffer.from(tls.clientCa),
    [{ cert_chain: Buffer.from(tls.cert), private_key: Buffer.from(tls.key) }],
    tls.clientCa !== undefined,
  );
}
