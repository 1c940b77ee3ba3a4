// What a tracer is built from, its defaults, and the check that refuses bad values before anything is made.
import { OptionChecks } from '@windsock/options';
import { INVALID_CORE_OPTIONS } from '../invalid-options.js';
import { type Sink } from '../sink.js';

export interface TracerOptions {
  serviceName: string;
  serviceInstance: string;
  sink: Sink;
  /** Fraction of new traces recorded, 0..1 (default 1). An incoming `sw8` sample flag overrides it. */
  sampleRate?: number;
  /** Spans recorded per segment; later ones are dropped and the segment marked `isSizeLimited` (default 300). */
  maxSpansPerSegment?: number;
  /** Longest tag or log value kept, in UTF-16 units (default 2048); longer values are cut and counted. */
  maxTagValueLength?: number;
  /**
   * Longest `stack` an error log keeps (the error's stack and its causes'), in UTF-16 units (default 4096); longer
   * stacks are cut and counted in `valuesTruncated`.
   */
  maxErrorStackLength?: number;
  /** Incoming request paths not traced, as globs: `/health`, `/static/**`, `/api/*` (default none). */
  ignorePaths?: readonly string[];
  /** Incoming request methods not traced, e.g. `['OPTIONS', 'HEAD']` (default none). */
  ignoreMethods?: readonly string[];
  /** Instrumentations left off: `'http-server'`, `'http-client'`, `'fetch'`. */
  disabledPlugins?: readonly string[];
  /** Epoch milliseconds; injectable for tests. */
  now?: () => number;
  /** Source of randomness for sampling; injectable for tests. */
  random?: () => number;
}

export const DEFAULT_MAX_SPANS_PER_SEGMENT = 300;
export const DEFAULT_MAX_TAG_VALUE_LENGTH = 2048;

/** Throws one OptionsError listing every bad tracer option: a bad cap or rate is the caller's bug, not a default. */
export function checkTracerOptions(options: TracerOptions): void {
  const check = new OptionChecks();
  for (const name of ['maxSpansPerSegment', 'maxTagValueLength', 'maxErrorStackLength'] as const) {
    if (options[name] !== undefined) check.integer(name, options[name], { min: 1 });
  }
  if (options.sampleRate !== undefined)
    check.number('sampleRate', options.sampleRate, { min: 0, max: 1 });
  if (options.now !== undefined) check.function('now', options.now);
  if (options.random !== undefined) check.function('random', options.random);
  check.throwIfAny(INVALID_CORE_OPTIONS);
}
