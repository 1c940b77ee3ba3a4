export { OptionsError, type OptionProblem } from '@windsock/options';
export { BoundedQueue } from './bounded-queue.js';
export type { DrainHandler } from './drain-loop.js';
export { DROP_REASONS } from './types.js';
export type {
  Batch,
  BoundedQueueOptions,
  DrainDecision,
  DrainOptions,
  DropReason,
  FlushResult,
  OfferOutcome,
  OverflowEvent,
  OverflowPolicy,
  QueueStats,
  SettleOutcome,
} from './types.js';
