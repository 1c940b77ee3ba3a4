import { runAsAgent } from './agent-guard.js';

export type DiagnosticLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

/**
 * The only way agent code reports about itself. Each call names a `key` (what happened: `'log-queue-full'`,
 * `'backend-unavailable'`): lines are throttled per key, so a condition that repeats per item costs one line per
 * window, not one line per item.
 */
export interface DiagnosticLogger {
  debug(key: string, message: string): void;
  info(key: string, message: string): void;
  warn(key: string, message: string): void;
  error(key: string, message: string): void;
  /** Lines not written because their key had already written one in the current window, since creation. */
  suppressed(): number;
}

export interface DiagnosticLoggerOptions {
  /** Lowest level written (default `'info'`); `'silent'` writes nothing. */
  level?: DiagnosticLevel;
  /**
   * Where a finished line goes (default: `process.stderr`). It may be the application's own logger: it is always
   * called as agent code (`runAsAgent`), so whatever it logs is never reported back into windsock's pipelines.
   * Errors it throws are swallowed.
   */
  write?: (line: string) => void;
  /** At most one line per key per window of this many milliseconds (default 30 000; 0 writes every line). */
  throttleMs?: number;
  /** Epoch milliseconds; injectable for tests. */
  now?: () => number;
}

export const DEFAULT_DIAGNOSTIC_THROTTLE_MS = 30_000;

// Keys are a small fixed vocabulary chosen by agent code; the cap only guards against a caller building keys from
// data, which would otherwise grow this map for ever.
const MAX_TRACKED_KEYS = 1_000;

const LEVEL_RANK: Readonly<Record<DiagnosticLevel, number>> = {
  debug: 10,
  info: 20,
  warn: 30,
  error: 40,
  silent: Number.POSITIVE_INFINITY,
};

interface KeyWindow {
  /** When the current window started (the last written line). */
  since: number;
  /** Lines of this key dropped since then. */
  suppressed: number;
}

function writeToStderr(line: string): void {
  process.stderr.write(`${line}\n`);
}

class ThrottledDiagnosticLogger implements DiagnosticLogger {
  private readonly threshold: number;
  private readonly write: (line: string) => void;
  private readonly throttleMs: number;
  private readonly now: () => number;
  private readonly windows = new Map<string, KeyWindow>();
  private suppressedTotal = 0;

  constructor(options: DiagnosticLoggerOptions) {
    this.threshold = LEVEL_RANK[options.level ?? 'info'] ?? LEVEL_RANK.info;
    this.write = options.write ?? writeToStderr;
    const throttle = options.throttleMs;
    this.throttleMs =
      typeof throttle === 'number' && throttle >= 0 ? throttle : DEFAULT_DIAGNOSTIC_THROTTLE_MS;
    this.now = options.now ?? Date.now;
  }

  debug(key: string, message: string): void {
    this.emit('debug', key, message);
  }

  info(key: string, message: string): void {
    this.emit('info', key, message);
  }

  warn(key: string, message: string): void {
    this.emit('warn', key, message);
  }

  error(key: string, message: string): void {
    this.emit('error', key, message);
  }

  suppressed(): number {
    return this.suppressedTotal;
  }

  private emit(level: Exclude<DiagnosticLevel, 'silent'>, key: string, message: string): void {
    if (LEVEL_RANK[level] < this.threshold) return;
    runAsAgent(() => {
      try {
        const repeats = this.admit(key);
        if (repeats < 0) return;
        const suffix = repeats > 0 ? ` (${repeats} similar suppressed)` : '';
        this.write(`[windsock] ${level.toUpperCase()} ${key}: ${message}${suffix}`);
      } catch {
        // A diagnostic must never become a failure of the code that reported it.
      }
    });
  }

  /** -1 when the line must be dropped; otherwise how many lines of this key were dropped before it. */
  private admit(key: string): number {
    if (this.throttleMs === 0) return 0;
    const now = this.now();
    const window = this.windows.get(key);
    if (window === undefined) {
      if (this.windows.size >= MAX_TRACKED_KEYS) this.forgetOldestKey();
      this.windows.set(key, { since: now, suppressed: 0 });
      return 0;
    }
    if (now - window.since < this.throttleMs) {
      window.suppressed += 1;
      this.suppressedTotal += 1;
      return -1;
    }
    const repeats = window.suppressed;
    window.since = now;
    window.suppressed = 0;
    return repeats;
  }

  private forgetOldestKey(): void {
    const oldest = this.windows.keys().next();
    if (oldest.done !== true) this.windows.delete(oldest.value);
  }
}

/**
 * Creates the agent's private diagnostic logger: stderr by default, a level threshold, and per-key throttling
 * (`"[windsock] WARN log-queue-full: ... (41 similar suppressed)"`). Never throws.
 */
export function createDiagnosticLogger(options: DiagnosticLoggerOptions = {}): DiagnosticLogger {
  return new ThrottledDiagnosticLogger(options);
}
