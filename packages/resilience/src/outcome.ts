/** The breaker's state as the report loop sees it. */
export type PolicyState = 'closed' | 'open' | 'half-open' | 'isolated';

/** Why `execute` did not deliver. */
export type RejectionReason =
  /** The breaker is open (or a probe just failed): nothing more was sent; sleep until `nextProbeAt`. */
  | 'open'
  /** The breaker is held open by `isolate()`: nothing more was sent. */
  | 'isolated'
  /** The last attempt passed its deadline; it may have reached the server. */
  | 'timeout'
  /** The last attempt threw or resolved to a failure (see `value` / `error`). */
  | 'failed'
  /** The caller's signal aborted, or the policy was disposed. */
  | 'cancelled';

/** `fn` resolved to a result that `isFailure` does not call a failure. */
export interface ExecuteDelivered<R> {
  ok: true;
  value: R;
  /** How many times `fn` ran (1 + retries). */
  attempts: number;
}

/** Anything else. `execute` resolves to this instead of rejecting, so a loop needs no try/catch. */
export interface ExecuteRejected<R> {
  ok: false;
  reason: RejectionReason;
  /**
   * How many times `fn` ran. 0 means no byte of this call left the process, so the batch can be kept as it is;
   * retries happen only after failures the caller called retryable, so those too left nothing at the server.
   */
  attempts: number;
  /** The last failed result, when `fn` resolved to one (`failed`). */
  value?: R;
  /** The error `fn` threw, or the timeout / cancellation error. */
  error?: unknown;
  /** A server pushback that was too long to wait for inside `execute`; the caller should pause this long. */
  pushbackMs?: number;
  /** When the breaker is open after this call: the epoch ms at which the next probe may run. */
  nextProbeAt?: number;
}

export type ExecuteOutcome<R> = ExecuteDelivered<R> | ExecuteRejected<R>;

export interface ExecuteOptions {
  /** Aborts the call: the running attempt's signal is aborted and `execute` resolves `cancelled`. */
  signal?: AbortSignal;
}

/** A state transition, delivered to `onStateChange` listeners. */
export interface StateChange {
  state: PolicyState;
  previous: PolicyState;
  /** Epoch ms of the transition (the policy's clock). */
  at: number;
  /** Set when `state` is `open`. */
  nextProbeAt: number | undefined;
}

/** Counters and state at one moment; cheap to take, safe to serialise. */
export interface PolicySnapshot {
  state: PolicyState;
  /** Failed attempts and probes in a row, reset by any success or `reset()`. */
  consecutiveFailures: number;
  /** Epoch ms at which the breaker last opened, while it is not closed. */
  openedAt: number | undefined;
  /** Epoch ms at which the next probe may run, while the breaker is open. */
  nextProbeAt: number | undefined;
  /** The last thrown error or failed result (data or probe), or `undefined` if none yet. */
  lastError: unknown;
  /** `execute` calls. */
  calls: number;
  /** Times `fn` ran (first attempts and retries). */
  attempts: number;
  /** Attempts that failed, threw or timed out. */
  failures: number;
  /** Attempts that were retries. */
  retries: number;
  /** Calls refused without running `fn` because the breaker was open or isolated. */
  rejections: number;
  /** Probes run. */
  probes: number;
  /** Probes that failed. */
  probeFailures: number;
}
