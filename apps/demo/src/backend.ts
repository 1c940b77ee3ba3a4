// Where the services report: the embedded collector (with fault switches and a view of what it received), or an
// external backend named by SW_AGENT_COLLECTOR_BACKEND_SERVICES, about which the demo knows nothing more.
import {
  fault,
  parseFault,
  startCollector,
  startControlServer,
  type Collector,
  type CollectorCounts,
  type ControlServer,
  type Fault,
  type FaultState,
  type InstanceRecord,
  type TraceSummary,
} from '@windsock/collector';
import { DemoError, translateListenError } from './listen.js';

/** The dashboard's fault buttons, each one a complete mode: switching clears the previous one first. */
export const FAULT_MODES = ['up', 'refuse', 'blackhole', 'slow', 'errors', 'flap'] as const;
export type FaultMode = (typeof FAULT_MODES)[number];

export const SLOW_DELAY_MS = 2_000;
export const FLAP_PERIOD_MS = 5_000;

export function faultOf(mode: FaultMode): Fault {
  switch (mode) {
    case 'up':
      return fault.up();
    case 'refuse':
      return fault.refuse();
    case 'blackhole':
      return fault.blackhole();
    case 'slow':
      return fault.delay(SLOW_DELAY_MS);
    case 'errors':
      // Half the calls fail: the retry and breaker policies get to show what they do with a flaky backend.
      return parseFault({
        type: 'fail',
        code: 'UNAVAILABLE',
        ratio: 0.5,
        message: 'demo: injected failure',
      });
    case 'flap':
      return fault.flap(FLAP_PERIOD_MS);
  }
}

export function isFaultMode(value: unknown): value is FaultMode {
  return typeof value === 'string' && (FAULT_MODES as readonly string[]).includes(value);
}

/** What the dashboard shows about the collector in one sample. */
export interface BackendView {
  embedded: boolean;
  /** Where the agents report. */
  address: string;
  controlUrl?: string;
  mode?: FaultMode;
  faults?: FaultState;
  counts?: CollectorCounts;
  listener?: string;
  openConnections?: number;
  heldConnections?: number;
}

export interface Backend {
  readonly address: string;
  readonly embedded: boolean;
  view(): BackendView;
  traces(limit: number): TraceSummary[];
  instances(): InstanceRecord[];
  setMode(mode: FaultMode): Promise<void>;
  stop(): Promise<void>;
}

export async function startEmbeddedBackend(options: {
  host: string;
  port: number;
  controlPort: number;
}): Promise<Backend> {
  const { host, port, controlPort } = options;
  const collector = await startCollector({ host, port, retain: 2_000 }).catch((error: unknown) => {
    throw translateListenError(error, {
      what: 'the embedded collector (gRPC)',
      host,
      port,
      hint: 'use --collector-port or DEMO_COLLECTOR_PORT',
    });
  });
  let control: ControlServer;
  try {
    control = await startControlServer(collector, { host, port: controlPort });
  } catch (error) {
    await collector.stop();
    throw translateListenError(error, {
      what: "the embedded collector's control API",
      host,
      port: controlPort,
      hint: 'use --control-port or DEMO_CONTROL_PORT',
    });
  }
  return new EmbeddedBackend(collector, control);
}

class EmbeddedBackend implements Backend {
  readonly embedded = true;
  private mode: FaultMode = 'up';

  constructor(
    private readonly collector: Collector,
    private readonly control: ControlServer,
  ) {}

  get address(): string {
    return this.collector.address;
  }

  view(): BackendView {
    const status = this.collector.status();
    return {
      embedded: true,
      address: this.collector.address,
      controlUrl: this.control.url,
      mode: this.mode,
      faults: this.collector.faults(),
      counts: this.collector.counts(),
      listener: status.listener,
      openConnections: status.openConnections,
      heldConnections: status.heldConnections,
    };
  }

  traces(limit: number): TraceSummary[] {
    return this.collector.traces(limit);
  }

  instances(): InstanceRecord[] {
    return this.collector.instances();
  }

  async setMode(mode: FaultMode): Promise<void> {
    // Modes are exclusive on the dashboard: `up` first clears call faults (delay, fail) and flapping.
    await this.collector.setFault(fault.up());
    if (mode !== 'up') await this.collector.setFault(faultOf(mode));
    this.mode = mode;
  }

  async stop(): Promise<void> {
    await this.control.stop();
    await this.collector.stop();
  }
}

/** A backend the demo did not start: no faults to switch, nothing to read back. */
export function externalBackend(address: string): Backend {
  return {
    address,
    embedded: false,
    view: () => ({ embedded: false, address }),
    traces: () => [],
    instances: () => [],
    setMode: () =>
      Promise.reject(
        new DemoError(
          'fault modes need the embedded collector (SW_AGENT_COLLECTOR_BACKEND_SERVICES is set)',
        ),
      ),
    stop: () => Promise.resolve(),
  };
}
