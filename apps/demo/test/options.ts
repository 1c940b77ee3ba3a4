// Demo options for tests: free ports everywhere and agent timings short enough that an outage and a recovery
// play out in seconds.
import { resolveOptions, type DemoOptions } from '../src/config.js';

export function testOptions(overrides: Partial<DemoOptions> = {}): DemoOptions {
  const base = resolveOptions([], {});
  return {
    ...base,
    dashboardPort: 0,
    collectorPort: 0,
    controlPort: 0,
    frontendPort: 0,
    inventoryPort: 0,
    rate: 40,
    tickMs: 500,
    watch: false,
    externalCollector: undefined,
    agentEnv: {
      ...base.agentEnv,
      SW_AGENT_LINGER: '100ms',
      SW_AGENT_METER_INTERVAL: '1s',
      SW_AGENT_HEARTBEAT_INTERVAL: '1s',
      SW_AGENT_REPORT_TIMEOUT: '1s',
      SW_AGENT_BREAKER_THRESHOLD: '2',
      SW_AGENT_BREAKER_PROBE_MIN_DELAY: '300ms',
      SW_AGENT_BREAKER_PROBE_MAX_DELAY: '1s',
      SW_AGENT_RETRY_MAX_ATTEMPTS: '1',
      SW_AGENT_RETRY_INITIAL_DELAY: '50ms',
      // The smallest budget: a few seconds of outage overflow it, so the drops show.
      SW_AGENT_MAX_BUFFER_BYTES: '64kb',
    },
    ...overrides,
  };
}
