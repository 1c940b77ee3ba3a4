export {
  type Collector,
  type CollectorOptions,
  type CollectorStatus,
  type CollectorTlsOptions,
  type FaultState,
  startCollector,
} from './collector.js';
export {
  type AgentConfiguration,
  CONFIGURATION_DISCOVERY_COMMAND,
  configurationCommands,
} from './configuration.js';
export {
  type CallFault,
  type Fault,
  fault,
  type ListenerFault,
  type ListenerMode,
  parseFault,
  SERVICE_NAMES,
  type ServiceFaults,
  type ServiceName,
} from './fault.js';
export { RETRY_PUSHBACK_HEADER } from './calls.js';
export {
  type CallOutcome,
  type CollectorCounts,
  type InstanceRecord,
  type ItemCounts,
  type ItemKind,
  type RequestRecord,
} from './store.js';
export { summarizeTraces, type TraceSummary } from './traces.js';
export { type ControlServer, type ControlServerOptions, startControlServer } from './control.js';
export { type NotYet } from './waiters.js';
export { makeTestCertificates, type TestCertificates } from './test-certificates.js';
