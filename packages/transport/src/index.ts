export { createTransport, type CallOptions, type Transport } from './transport.js';
export { describeError } from './results.js';
export { OptionsError, type OptionProblem } from '@windsock/options';
export { transportResultClassifier } from './result-classifier.js';
export type {
  RetryAdvice,
  TransportFailure,
  TransportResult,
  TransportSuccess,
} from './results.js';
export {
  classifyFailure,
  type FailureEvidence,
  parsePushback,
  STATUS_CLASSIFICATION,
  type StatusClass,
} from './classification.js';
export {
  type CallKind,
  DEFAULT_DEADLINES,
  type KeepaliveOptions,
  DEFAULT_RECONNECT_DELAY_MS,
  type TransportOptions,
} from './options.js';
export type { BackendHealth, BackendState, HealthListener } from './backend.js';
export {
  CONFIGURATION_DISCOVERY_COMMAND,
  type ConfigurationUpdate,
  configurationIn,
  type ManagementScheduler,
  type ManagementSchedulerOptions,
  startManagementScheduler,
} from './scheduler.js';
export { type Timers, unrefTimers } from './timers.js';
export { guardGrpcLogs } from './grpc-logs.js';
