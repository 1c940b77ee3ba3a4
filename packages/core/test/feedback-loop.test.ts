import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

interface DepthRange {
  min: number;
  max: number;
  samples: number;
}

interface FeedbackResult {
  lines: number;
  reporter: { produced: number; suppressed: number; truncated: number; sinkErrors: number };
  queue: { produced: number; queued: number; dropped: { overflow: number } };
  notQueued: number;
  diagnosticLines: number;
  pinoLines: number;
  winstonLines: number;
  depths: { pino: DepthRange; winston: DepthRange };
  heapGrowth: number;
}

function runScenario(mode: 'both' | 'pino' | 'winston'): Promise<FeedbackResult> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--stack-size=200', '--expose-gc', '--import', 'tsx', 'test/feedback/feedback-app.ts'],
      {
        cwd: packageDir,
        timeout: 120_000,
        maxBuffer: 1024 * 1024,
        env: { ...process.env, FEEDBACK_MODE: mode },
      },
      (error, stdout, stderr) => {
        // A non-zero exit (a stack overflow, an out-of-memory abort) or a timeout fails the test here.
        if (error)
          reject(new Error(`feedback scenario (${mode}) failed: ${error.message}\n${stderr}`));
        else resolve(JSON.parse(stdout) as FeedbackResult);
      },
    );
  });
}

const LINES = 100_000;
const QUEUED_BEFORE = 1_000;

// apache/skywalking#11832 reproduced in Node.js (see test/feedback/feedback-app.ts): the application's pino and
// winston loggers are reported AND are the agent's diagnostic output; every offer to the (full) queue overflows and
// writes an unthrottled diagnostic through both loggers; 100,000 lines, in a process with a 200 KB stack.
describe.each(['both', 'pino', 'winston'] as const)(
  'feedback scenario: full queue, diagnostics through the instrumented loggers (%s)',
  (mode) => {
    it('completes with a flat stack, a flat heap and every line accounted for', async () => {
      const result = await runScenario(mode);

      // Every application line was reported once and could not be queued: dropped as overflow, counted.
      expect(result.reporter.produced).toBe(LINES);
      expect(result.notQueued).toBe(LINES);
      expect(result.queue.dropped.overflow).toBe(LINES);
      expect(result.queue.produced).toBe(QUEUED_BEFORE + LINES);
      expect(result.queue.queued).toBe(QUEUED_BEFORE);
      expect(result.reporter.sinkErrors).toBe(0);

      // One diagnostic per overflowing offer, plus the queue's one "overflow start" line; each was written
      // through both loggers and refused by both integrations: none of them re-entered the pipeline.
      expect(result.diagnosticLines).toBe(LINES + 1);
      expect(result.reporter.suppressed).toBe(2 * result.diagnosticLines);
      const appLines = { pino: 0, winston: 0 };
      if (mode === 'both') Object.assign(appLines, { pino: LINES / 2, winston: LINES / 2 });
      else appLines[mode] = LINES;
      expect(result.pinoLines).toBe(appLines.pino + result.diagnosticLines);
      expect(result.winstonLines).toBe(appLines.winston + result.diagnosticLines);

      // The stack where the diagnostic is written is as deep after 100,000 overflows as after the first.
      for (const source of ['pino', 'winston'] as const) {
        const depth = result.depths[source];
        if (appLines[source] === 0) continue;
        expect(depth.samples).toBeGreaterThan(100);
        expect(depth.max).toBe(depth.min);
        expect(depth.max).toBeLessThan(60);
      }

      // Between the 10,000th and the last line the heap (after a full GC) does not grow with the lines.
      expect(result.heapGrowth).toBeLessThan(4 * 1024 * 1024);
    }, 150_000);
  },
);
