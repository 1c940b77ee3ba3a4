import type { PolicySnapshot } from './outcome.js';

/** What a policy counts: calls, attempts and their outcomes, and the run of failures a success ends. */
export class PolicyCounters {
  readonly counts = {
    calls: 0,
    attempts: 0,
    failures: 0,
    retries: 0,
    rejections: 0,
    probes: 0,
    probeFailures: 0,
  };
  consecutiveFailures = 0;
  lastError: unknown = undefined;

  success(): void {
    this.consecutiveFailures = 0;
  }

  failure(reason: unknown): void {
    this.counts.failures++;
    this.consecutiveFailures++;
    this.lastError = reason;
  }

  probeFailure(reason: unknown): void {
    this.counts.probeFailures++;
    this.consecutiveFailures++;
    this.lastError = reason;
  }

  /** The counting part of a snapshot. */
  snapshot(): Omit<PolicySnapshot, 'state' | 'openedAt' | 'nextProbeAt'> {
    return {
      consecutiveFailures: this.consecutiveFailures,
      lastError: this.lastError,
      ...this.counts,
    };
  }
}
