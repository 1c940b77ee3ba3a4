import { status } from '@grpc/grpc-js';
import { type Command } from '@windsock/protocol';

/**
 * Whether the data of a failed call may be sent again:
 * - `safe`: nothing of the call can have reached the server (no connection, refused before any byte was written,
 *   or the server refused it and asked for it again with a pushback); re-sending cannot duplicate it.
 * - `unsafe`: it may have arrived (reset mid-stream, deadline or cancellation after the stream opened). OAP does not
 *   de-duplicate, so the caller must not re-send it; count it as unacknowledged.
 * - `never`: a permanent error (bad token, unimplemented method, invalid request); re-sending cannot help.
 */
export type RetryAdvice = 'safe' | 'unsafe' | 'never';

export interface TransportSuccess {
  ok: true;
  /** The commands OAP answered with (e.g. a `ConfigurationDiscoveryCommand`); usually empty. */
  commands: Command[];
  /** The backend (`host:port`) that acknowledged the call. */
  backend: string;
}

export interface TransportFailure {
  ok: false;
  /** The gRPC status code (`@grpc/grpc-js` `status`). */
  code: number;
  /** `STATUS_NAME: details`, with a hint for the codes a user can fix (authentication, TLS). */
  message: string;
  retry: RetryAdvice;
  /** The server's `grpc-retry-pushback-ms`: wait at least this long before sending to it again. */
  pushbackMs?: number;
  /** The backend the call was sent to last, or the one it would have gone to. */
  backend: string;
}

/** What every transport call resolves to; the transport never rejects and never throws after creation. */
export type TransportResult = TransportSuccess | TransportFailure;

/**
 * Anything the agent may have to tell about a failure, as one line: a thrown error (its message), a transport failure
 * (its message, named by its gRPC status unless the message already starts with the name), or any other value.
 */
export function describeError(error: unknown): string {
  if (error === undefined || error === null) return 'unknown error';
  if (typeof error === 'object') {
    const { code, message } = error as { code?: unknown; message?: unknown };
    if (typeof message === 'string') {
      const name = typeof code === 'number' ? (status[code] ?? String(code)) : undefined;
      return name === undefined || message.startsWith(name) ? message : `${name}: ${message}`;
    }
    try {
      return JSON.stringify(error);
    } catch {
      return 'unprintable error';
    }
  }
  switch (typeof error) {
    case 'string':
      return error;
    case 'number':
    case 'boolean':
    case 'bigint':
      return error.toString();
    default:
      return typeof error;
  }
}
