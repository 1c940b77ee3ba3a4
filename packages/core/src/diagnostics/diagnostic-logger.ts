import { OptionChecks } from '@windsock/options';
import { INVALID_CORE_OPTIONS } from '../invalid-options.js';
import { runAsAgent } from './agent-guard.js';

export type DiagnosticLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

/**
 * The only way agent code reports about itself. Each call names a `key` (what happened: `'log-queue-full'`,
 * `'backend-unavailable'`): lines are throttled per key, so a condition that repeats per item costs one line per
 * window, not one line per item; the latest line a window held back is written when it ends, so the last word on
 * a key is never a stale one.
 */
export interface DiagnosticLogger {
  debug(key: string, message: string): void;
  info(key: string, message: string): void;
  warn(key: string, message: string): void;
  error(key: string, message: string): void;
  /** Lines not written because their key had already written one in the current window, since creation. */
  suppressed(): number;
  /** Writes the held-back latest line of every key now and stops the timers (at shutdown). */
  flush(): void;
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
  /** The latest of them, written when the window ends unless a new line of the key comes first. */
  latest?: { level: Exclude<DiagnosticLevel, 'silent'>; message: string };
  /** The unref'd timer that writes `latest` at the end of the window. */
  trailing?: ReturnType<typeof setTimeout>;
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
    const check = new OptionChecks();
    const level = options.level ?? 'info';
    check.oneOf('level', level, Object.keys(LEVEL_RANK) as DiagnosticLevel[]);
    if (options.write !== undefined) check.function('write', options.write);
    if (options.throttleMs !== undefined) {
      check.delayMs('throttleMs', options.throttleMs, { allowZero: true });
    }
    if (options.now !== undefined) check.function('now', options.now);
    check.throwIfAny(INVALID_CORE_OPTIONS);
    this.threshold = LEVEL_RANK[level];
    this.write = options.write ?? writeToStderr;
    this.throttleMs = options.throttleMs ?? DEFAULT_DIAGNOSTIC_THROTTLE_MS;
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

  flush(): void {
    for (const [key, window] of this.windows) {
      if (window.trailing === undefined) continue;
      clearTimeout(window.trailing);
      this.writeTrailing(key, window);
    }
  }

  private emit(level: Exclude<DiagnosticLevel, 'silent'>, key: string, message: string): void {
    if (LEVEL_RANK[level] < this.threshold) return;
    runAsAgent(() => {
      try {
        const repeats = this.admit(key, level, message);
        if (repeats < 0) return;
        this.writeLine(level, key, message, repeats);
      } catch {
        // A diagnostic must never become a failure of the code that reported it.
      }
    });
  }

  private writeLine(level: string, key: string, message: string, repeats: number): void {
    const suffix = repeats > 0 ? ` (${repeats} similar suppressed)` : '';
    this.write(`[windsock] ${level.toUpperCase()} ${key}: ${message}${suffix}`);
  }

  /** -1 when the line must be dropped; otherwise how many lines of this key were dropped before it. */
  private admit(key: string, level: Exclude<DiagnosticLevel, 'silent'>, message: string): number {
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
      // The last word of a window is written when it ends: a state that changed back and forth inside it (a
      // breaker that opened again after "reporting again") is not left showing its earlier state.
      window.latest = { level, message };
      window.trailing ??= this.scheduleTrailing(key, window, window.since + this.throttleMs - now);
      return -1;
    }
    clearTimeout(window.trailing);
    const repeats = window.suppressed;
    window.since = now;
    window.suppressed = 0;
    window.latest = undefined;
    window.trailing = undefined;
    return repeats;
  }

  private scheduleTrailing(
    key: string,
    window: KeyWindow,
    delayMs: number,
  ): ReturnType<typeof setTimeout> {
    const timer = setTimeout(() => this.writeTrailing(key, window), Math.max(0, delayMs));
    timer.unref?.();
    return timer;
  }

  private writeTrailing(key: string, window: KeyWindow): void {
    runAsAgent(() => {
      window.trailing = undefined;
      const latest = window.latest;
      if (latest === undefined || this.windows.get(key) !== window) return;
      const repeats = window.suppressed - 1; // the latest is written now
      this.suppressedTotal -= 1;
      window.since = this.now();
      window.suppressed = 0;
      window.latest = undefined;
      try {
        this.writeLine(latest.level, key, latest.message, repeats);
      } catch {
        // as in emit
      }
    });
  }

  private forgetOldestKey(): void {
    const oldest = this.windows.keys().next();
    if (oldest.done === true) return;
    clearTimeout(this.windows.get(oldest.value)?.trailing);
    this.windows.delete(oldest.value);
  }
}

/**
 * Creates the agent's private diagnostic logger: stderr by default, a level threshold, and per-key throttling
 * (`"[windsock] WARN log-queue-full: ... (41 similar suppressed)"`). Never throws.
 */
export function createDiagnosticLogger(options: DiagnosticLoggerOptions = {}): DiagnosticLogger {
  return new ThrottledDiagnosticLogger(options);
}
