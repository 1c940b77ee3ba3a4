import { type Span } from '@windsock/core';

// gRPC's canonical status codes, indexed by number (grpc/doc/statuscodes.md); the names are what the Java agent tags.
const STATUS_NAMES = [
  'OK',
  'CANCELLED',
  'UNKNOWN',
  'INVALID_ARGUMENT',
  'DEADLINE_EXCEEDED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION',
  'ABORTED',
  'OUT_OF_RANGE',
  'UNIMPLEMENTED',
  'INTERNAL',
  'UNAVAILABLE',
  'DATA_LOSS',
  'UNAUTHENTICATED',
] as const;

export const OK = 0;
export const CANCELLED = 1;
export const UNKNOWN = 2;
export const DEADLINE_EXCEEDED = 4;

/** OAP's tag for an RPC's outcome (`SpanTags.RPC_RESPONSE_STATUS_CODE`), kept as a string by its RPC analysis. */
export const RPC_STATUS_TAG = 'rpc.status_code';

/** `UNAVAILABLE` for 14; a code outside the table (a server may send any number) stays a number. */
export function statusName(code: number): string {
  return STATUS_NAMES[code] ?? String(code);
}

/** The status code of a grpc-js `ServiceError` (or of anything an app passes as one); UNKNOWN when it has none. */
export function codeOf(error: unknown): number {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'number' && Number.isInteger(code) ? code : UNKNOWN;
}

/**
 * A call's span, finished once with the status the call ended with, whichever of the places that learn it comes
 * first (the status received or sent, a cancellation).
 */
export class CallSpan {
  private finished = false;
  /** The error a server handler threw, passed to its callback or emitted: logged instead of the bare status. */
  private error: unknown;

  constructor(readonly span: Span) {}

  get done(): boolean {
    return this.finished;
  }

  rememberError(error: unknown): void {
    if (this.error === undefined && error instanceof Error) this.error = error;
  }

  /** Tags the status; a non-OK one marks the span as an error, logging the error kept or else the details. */
  finish(code: number, details: unknown): void {
    if (this.finished) return;
    this.finished = true;
    const span = this.span;
    const name = statusName(code);
    span.tag(RPC_STATUS_TAG, name);
    if (code !== OK) {
      const cause = this.error;
      span.error(
        cause instanceof Error ? cause : `${name}: ${typeof details === 'string' ? details : ''}`,
      );
    }
    span.end();
  }
}
