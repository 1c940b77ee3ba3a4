import { describe, expect, it, vi } from 'vitest';
import { isAgentRunning } from './agent-guard.js';
import { createDiagnosticLogger } from './diagnostic-logger.js';

function setup(options: Parameters<typeof createDiagnosticLogger>[0] = {}) {
  let time = 1_000_000;
  const lines: string[] = [];
  const logger = createDiagnosticLogger({
    now: () => time,
    write: (line) => lines.push(line),
    ...options,
  });
  return { logger, lines, advance: (ms: number) => (time += ms) };
}

describe('createDiagnosticLogger', () => {
  it('rejects an unknown level and a negative throttle in one OptionsError', () => {
    expect(() => setup({ level: 'verbose' as never, throttleMs: -1 })).toThrow(
      /^windsock core: invalid options \(2 problems\):\n {2}- level = "verbose": .*\n {2}- throttleMs = -1: /,
    );
  });

  it('writes a prefixed line per level at or above the threshold', () => {
    const { logger, lines } = setup({ level: 'warn' });
    logger.debug('a', 'debug');
    logger.info('b', 'info');
    logger.warn('c', 'queue full');
    logger.error('d', 'backend refused');
    expect(lines).toEqual(['[windsock] WARN c: queue full', '[windsock] ERROR d: backend refused']);
  });

  it('writes nothing when silent', () => {
    const { logger, lines } = setup({ level: 'silent' });
    logger.error('a', 'x');
    expect(lines).toEqual([]);
  });

  it('writes at most one line per key per window, then says how many were suppressed', () => {
    const { logger, lines, advance } = setup();
    for (let i = 0; i < 5; i += 1) logger.warn('log-queue-full', 'reach max log send buffer');
    logger.warn('other', 'independent key');
    advance(29_999);
    logger.warn('log-queue-full', 'still full');
    advance(1);
    logger.warn('log-queue-full', 'still full');
    logger.warn('log-queue-full', 'still full');
    expect(lines).toEqual([
      '[windsock] WARN log-queue-full: reach max log send buffer',
      '[windsock] WARN other: independent key',
      '[windsock] WARN log-queue-full: still full (5 similar suppressed)',
    ]);
    expect(logger.suppressed()).toBe(6);
  });

  it('writes the latest held-back line when its window ends, so the last word is not stale', async () => {
    vi.useFakeTimers();
    try {
      const lines: string[] = [];
      const logger = createDiagnosticLogger({ write: (line) => lines.push(line) });
      logger.warn('breaker:a:open', 'breaker closed → open');
      logger.warn('breaker:a:closed', 'breaker half-open → closed: reporting again');
      await vi.advanceTimersByTimeAsync(5_000);
      logger.warn('breaker:a:open', 'breaker closed → open'); // down again, inside the window: held back
      logger.warn('breaker:a:open', 'breaker closed → open');
      expect(lines).toHaveLength(2);
      expect(logger.suppressed()).toBe(2);
      await vi.advanceTimersByTimeAsync(25_000); // the window of the first line ends
      expect(lines).toEqual([
        '[windsock] WARN breaker:a:open: breaker closed → open',
        '[windsock] WARN breaker:a:closed: breaker half-open → closed: reporting again',
        '[windsock] WARN breaker:a:open: breaker closed → open (1 similar suppressed)',
      ]);
      expect(logger.suppressed()).toBe(1);
      // A key whose window held nothing back writes nothing more; the trailing line starts a new window.
      await vi.advanceTimersByTimeAsync(60_000);
      expect(lines).toHaveLength(3);
      logger.warn('breaker:a:open', 'breaker closed → open');
      expect(lines).toHaveLength(4);
      expect(vi.getTimerCount()).toBe(0);
      // flush() (at shutdown) writes what a window holds back at once, and leaves no timer.
      logger.warn('breaker:a:open', 'held back');
      expect(vi.getTimerCount()).toBe(1);
      logger.flush();
      expect(lines.at(-1)).toBe('[windsock] WARN breaker:a:open: held back');
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('honours a custom window, and 0 writes every line', () => {
    const short = setup({ throttleMs: 10 });
    short.logger.info('k', '1');
    short.advance(10);
    short.logger.info('k', '2');
    expect(short.lines).toHaveLength(2);
    const none = setup({ throttleMs: 0 });
    for (let i = 0; i < 3; i += 1) none.logger.info('k', String(i));
    expect(none.lines).toHaveLength(3);
  });

  it('calls write as agent code and swallows what it throws', () => {
    const guardSeen: boolean[] = [];
    const logger = createDiagnosticLogger({
      write: () => {
        guardSeen.push(isAgentRunning());
        throw new Error('logger closed');
      },
    });
    expect(() => logger.error('k', 'x')).not.toThrow();
    expect(guardSeen).toEqual([true]);
    expect(isAgentRunning()).toBe(false);
  });

  it('bounds the keys it remembers', () => {
    const { logger, lines } = setup();
    for (let i = 0; i < 1_500; i += 1) logger.warn(`key-${i}`, 'x');
    // The oldest keys were forgotten, so they may write again: memory stays bounded, lines stay throttled per key.
    logger.warn('key-0', 'x');
    logger.warn('key-1499', 'x');
    expect(lines).toHaveLength(1_501);
  });
});
