export { Reporter, type FlushResult } from './reporter.js';
export type { ReporterOptions } from './options.js';
export { AGENT_METER } from './self-meters.js';
export type { PipelineName } from './pipeline.js';
export type { AgentState, AgentStatus, BackendStatus, PipelineStatus } from './status.js';
export { OptionsError, type OptionProblem } from '@windsock/options';
