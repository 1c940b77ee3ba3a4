import type { ResolvedPolicyOptions } from './options.js';
import { validPushback } from './retry-delays.js';

type Predicates<T> = Pick<
  ResolvedPolicyOptions<T>,
  'isFailure' | 'isRetryable' | 'isRetryableError' | 'pushbackMs'
>;

/**
 * The caller's predicates as the policies call them. A predicate that throws is a bug in the caller: it must not
 * reach the report loop, and the attempt it judged must still be accounted for.
 */
export class SafeClassifier<T> {
  constructor(private readonly predicates: Predicates<T>) {}

  /** A throwing `isFailure` makes the result a failure, so the attempt is still counted. */
  isFailure(result: T): boolean {
    try {
      return this.predicates.isFailure(result);
    } catch {
      return true;
    }
  }

  /** A throwing `isRetryable` means no retry: a re-send that might duplicate data is the worse mistake. */
  isRetryable(result: T): boolean {
    try {
      return this.predicates.isRetryable(result);
    } catch {
      return false;
    }
  }

  isRetryableError(error: unknown): boolean {
    try {
      return this.predicates.isRetryableError(error);
    } catch {
      return false;
    }
  }

  /** The server's pushback in ms when it is a usable delay; `undefined` when absent, invalid or thrown. */
  pushbackMs(result: T): number | undefined {
    try {
      const pushback = this.predicates.pushbackMs(result);
      return validPushback(pushback) ? pushback : undefined;
    } catch {
      return undefined;
    }
  }
}
