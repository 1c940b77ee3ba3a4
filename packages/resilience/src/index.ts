export { OptionsError, type OptionProblem } from '@windsock/options';
export { ReportPolicy, createReportPolicy, type StateListener } from './report-policy.js';
export {
  DEFAULT_BREAKER,
  DEFAULT_HALF_OPEN,
  DEFAULT_PROBE_TIMEOUT_MS,
  DEFAULT_RETRY,
  DEFAULT_TIMEOUT_MS,
  resolveOptions,
  type BreakerOptions,
  type ConsecutiveBreakerOptions,
  type HalfOpenOptions,
  type ReportPolicyOptions,
  type ResolvedPolicyOptions,
  type RetryOptions,
  type SamplingBreakerOptions,
} from './options.js';
export type {
  ExecuteDelivered,
  ExecuteOptions,
  ExecuteOutcome,
  ExecuteRejected,
  PolicySnapshot,
  PolicyState,
  RejectionReason,
  StateChange,
} from './outcome.js';
export {
  BackendSet,
  type BackendEntry,
  type BackendSetOptions,
  type BackendStateListener,
  type ResultClassifier,
  type SendOutcome,
} from './backend-set.js';
export { ProbeSchedule } from './probe-schedule.js';
export { RetryDelays } from './retry-delays.js';
