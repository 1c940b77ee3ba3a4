import { status } from '@grpc/grpc-js';
import { type RetryAdvice } from './results.js';

/**
 * How a gRPC status code is treated, modelled on the OpenTelemetry Collector's OTLP exporter:
 * - `retryable`: transient; the call may be sent again if nothing of it can have reached the server.
 * - `with-pushback`: retryable only when the server sent `grpc-retry-pushback-ms` (it is throttling us);
 *   without one it is permanent, because nothing tells us when it would stop.
 * - `permanent`: re-sending the same call cannot succeed.
 */
export type StatusClass = 'retryable' | 'with-pushback' | 'permanent';

export const STATUS_CLASSIFICATION: Readonly<Record<status, StatusClass>> = {
  [status.OK]: 'permanent', // never a failure; listed so the table is total
  [status.CANCELLED]: 'retryable',
  [status.UNKNOWN]: 'permanent',
  [status.INVALID_ARGUMENT]: 'permanent',
  [status.DEADLINE_EXCEEDED]: 'retryable',
  [status.NOT_FOUND]: 'permanent',
  [status.ALREADY_EXISTS]: 'permanent',
  [status.PERMISSION_DENIED]: 'permanent',
  [status.RESOURCE_EXHAUSTED]: 'with-pushback',
  [status.FAILED_PRECONDITION]: 'permanent',
  [status.ABORTED]: 'retryable',
  [status.OUT_OF_RANGE]: 'retryable',
  [status.UNIMPLEMENTED]: 'permanent',
  [status.INTERNAL]: 'permanent',
  [status.UNAVAILABLE]: 'retryable',
  [status.DATA_LOSS]: 'retryable',
  [status.UNAUTHENTICATED]: 'permanent',
};

/** What is known about how far a failed call got. */
export interface FailureEvidence {
  code: number;
  /**
   * Whether any of the call can have reached the server: an HTTP/2 stream was opened for it on a connected
   * transport (from that moment headers and messages may be on the wire), or the server answered anything.
   */
  mayHaveReachedServer: boolean;
  /** The server's `grpc-retry-pushback-ms`, if it sent a valid one. */
  pushbackMs?: number | undefined;
}

/**
 * The retry advice for a failed call. A permanent code is `never` wherever the call got. A transient code is `safe`
 * only when nothing can have reached the server, or when the server itself refused the call with a pushback: per
 * gRFC A6 a pushback is the server asking for the call again, which a server that kept the data must not do.
 * Everything else that may have reached the server is `unsafe`.
 */
export function classifyFailure(evidence: FailureEvidence): RetryAdvice {
  const statusClass = STATUS_CLASSIFICATION[evidence.code as status] ?? 'permanent';
  if (statusClass === 'permanent') return 'never';
  const hasPushback = evidence.pushbackMs !== undefined;
  if (statusClass === 'with-pushback' && !hasPushback) return 'never';
  if (!evidence.mayHaveReachedServer || hasPushback) return 'safe';
  return 'unsafe';
}

/** Reads `grpc-retry-pushback-ms` as gRFC A6 defines it: a non-negative integer; anything else is ignored. */
export function parsePushback(value: string | Buffer | undefined): number | undefined {
  if (value === undefined) return undefined;
  const text = value.toString();
  if (!/^\d{1,9}$/.test(text)) return undefined;
  return Number(text);
}
