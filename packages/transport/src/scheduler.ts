import { type Command, type KeyStringValuePair } from '@windsock/protocol';
import { type BackendHealth } from './backend.js';
import { OptionChecks } from '@windsock/options';
import { INVALID_TRANSPORT_OPTIONS } from './options.js';
import { type TransportResult } from './results.js';
import { type Timers, unrefTimers } from './timers.js';
import { type Transport } from './transport.js';

/** OAP's answer to `fetchConfigurations` when the agent's configuration is out of date. */
export const CONFIGURATION_DISCOVERY_COMMAND = 'ConfigurationDiscoveryCommand';

/** A configuration OAP handed out: its UUID and the settings, e.g. `{ 'agent.sample_rate': '5000' }`. */
export interface ConfigurationUpdate {
  uuid: string;
  values: Record<string, string>;
}

export interface ManagementSchedulerOptions {
  service: string;
  serviceInstance: string;
  /** Default `GENERAL`. */
  layer?: string;
  /** The instance properties (language, hostname, process id...); a function is read at every report. */
  properties: readonly KeyStringValuePair[] | (() => readonly KeyStringValuePair[]);
  /** Interval between heartbeats, in ms. Default 20 000. */
  heartbeatIntervalMs?: number;
  /** Interval between configuration polls, in ms; 0 disables polling. Default 20 000. */
  cdsIntervalMs?: number;
  /** Called with each configuration that differs from the last one seen. Its errors are swallowed. */
  onConfiguration?: (update: ConfigurationUpdate) => void;
  /** The configuration UUID already known (empty: none yet). */
  uuid?: string;
  /**
   * The backends management calls may go to now, in order of preference; each call goes to the first, and none is
   * made while the list is empty. windsock passes its `BackendSet`'s, so that no call is addressed to a backend whose
   * breaker is open (the breaker's probe decides when it is back). Default: every configured backend.
   */
  usable?: () => readonly string[];
  /** Default: real timers, unref'd. */
  timers?: Timers;
}

export interface ManagementScheduler {
  /** The UUID of the latest configuration received, sent with every poll. */
  readonly uuid: string;
  /** Cancels the timers and stops listening to backend health; calls in flight finish on their own. */
  stop(): void;
}

/**
 * Starts the heartbeat and configuration polling. Instance properties are reported at once, again after any failed
 * report, and again to every backend that becomes healthy after being unhealthy (a restarted OAP may have lost
 * them); otherwise each heartbeat is a `keepAlive`. Each timer is re-armed only after its call finished, so a slow
 * backend never gets overlapping calls, and nothing runs once the transport is closed.
 */
export function startManagementScheduler(
  transport: Transport,
  options: ManagementSchedulerOptions,
): ManagementScheduler {
  const timers = options.timers ?? unrefTimers;
  const check = new OptionChecks();
  const heartbeatIntervalMs = options.heartbeatIntervalMs ?? 20_000;
  check.delayMs('heartbeatIntervalMs', heartbeatIntervalMs);
  const cdsIntervalMs = options.cdsIntervalMs ?? 20_000;
  if (cdsIntervalMs !== 0) check.delayMs('cdsIntervalMs', cdsIntervalMs);
  check.throwIfAny(INVALID_TRANSPORT_OPTIONS);
  const layer = options.layer ?? 'GENERAL';
  const identity = { service: options.service, serviceInstance: options.serviceInstance, layer };
  const usable = (): readonly string[] => {
    try {
      return options.usable?.() ?? transport.backends().map((backend) => backend.address);
    } catch {
      return [];
    }
  };
  /** Where the next call goes: the first usable backend, or nowhere this turn. */
  const target = (): { backend: string } | undefined => {
    const backend = usable()[0];
    return backend === undefined ? undefined : { backend };
  };
  let uuid = options.uuid ?? '';
  let propertiesPending = true;
  let stopped = false;
  const handles = new Set<unknown>();

  const schedule = (task: () => Promise<void>, ms: number): void => {
    if (stopped) return;
    const handle = timers.setTimeout(() => {
      handles.delete(handle);
      if (stopped || transport.closed) return;
      void task().finally(() => schedule(task, ms));
    }, ms);
    handles.add(handle);
  };

  const reportProperties = async (to: { backend: string }): Promise<TransportResult> => {
    const properties =
      typeof options.properties === 'function' ? options.properties() : options.properties;
    return transport.reportInstanceProperties({ ...identity, properties: [...properties] }, to);
  };

  const heartbeat = async (): Promise<void> => {
    const to = target();
    if (to === undefined) return;
    if (propertiesPending) {
      const result = await reportProperties(to);
      if (result.ok) propertiesPending = false;
      return;
    }
    await transport.keepAlive(identity, to);
  };

  const pollConfiguration = async (): Promise<void> => {
    const to = target();
    if (to === undefined) return;
    const result = await transport.fetchConfigurations({ service: options.service, uuid }, to);
    if (!result.ok) return;
    const update = configurationIn(result.commands);
    if (update === undefined || update.uuid === uuid) return;
    uuid = update.uuid;
    try {
      options.onConfiguration?.(update);
    } catch {
      // The callback's failure is the caller's; the poll goes on.
    }
  };

  const onHealth = (address: string, health: BackendHealth, previous: BackendHealth): void => {
    if (stopped || health !== 'healthy' || previous !== 'unhealthy') return;
    if (!usable().includes(address)) return;
    void reportProperties({ backend: address }).then((result) => {
      if (result.ok) propertiesPending = false;
    });
  };
  const unsubscribe = transport.onHealthChange(onHealth);

  // Both start at once; afterwards each waits its interval after its previous call ended.
  void heartbeat().finally(() => schedule(heartbeat, heartbeatIntervalMs));
  if (cdsIntervalMs > 0) {
    void pollConfiguration().finally(() => schedule(pollConfiguration, cdsIntervalMs));
  }

  return {
    get uuid() {
      return uuid;
    },
    stop() {
      stopped = true;
      unsubscribe();
      for (const handle of handles) timers.clearTimeout(handle);
      handles.clear();
    },
  };
}

/** Reads OAP's `ConfigurationDiscoveryCommand`: `UUID` and `SerialNumber` args, then the settings. */
export function configurationIn(commands: readonly Command[]): ConfigurationUpdate | undefined {
  const command = commands.find((c) => c.command === CONFIGURATION_DISCOVERY_COMMAND);
  if (command === undefined) return undefined;
  let uuid: string | undefined;
  const values: Record<string, string> = {};
  for (const { key, value } of command.args) {
    if (key === 'UUID') uuid = value;
    else if (key !== 'SerialNumber') values[key] = value;
  }
  return uuid === undefined ? undefined : { uuid, values };
}
