import { format } from 'node:util';
import { type Instrumentation } from '../instrumentation/contract.js';
import { type Logger } from './logger.js';

const CAPTURED_METHODS = {
  debug: 'debug',
  log: 'info',
  info: 'info',
  warn: 'warn',
  error: 'error',
} as const;

type CapturedMethod = keyof typeof CAPTURED_METHODS;

/**
 * Opt-in: reports what the application writes with `console.log/info/warn/error/debug` (`log` and `info` as INFO),
 * formatted as the console formats it (`util.format`). Node 20 publishes no console channel, so this replaces the
 * five methods on `target` (default: the global `console`) with wrappers that call the original first; the disposer
 * puts the originals back (unless someone replaced them since). Lines the agent writes itself are not reported.
 */
export function captureConsole(reporter: Logger, target: Console = console): () => void {
  const restore: Array<() => void> = [];
  for (const method of Object.keys(CAPTURED_METHODS) as CapturedMethod[]) {
    // Read without binding: the wrapper calls it with whatever `this` the caller used, as console methods expect.
    const original = Reflect.get(target, method) as unknown;
    if (typeof original !== 'function') continue;
    const level = CAPTURED_METHODS[method];
    const wrapper = function (this: unknown, ...args: unknown[]): void {
      Reflect.apply(original as (...a: unknown[]) => unknown, this, args);
      let text: string;
      try {
        text = format(...args);
      } catch {
        return;
      }
      reporter.logFrom('console', level, text);
    };
    target[method] = wrapper;
    restore.push(() => {
      if (target[method] === wrapper) Reflect.set(target, method, original);
    });
  }
  return () => {
    for (const undo of restore.splice(0)) undo();
  };
}

/** Opt-in (`captureConsole`): the console methods' output reported as logs with the active trace context. */
export const consoleInstrumentation: Instrumentation = {
  name: 'console',
  description:
    '`console.log/info/warn/error/debug` reported as logs with the active trace context (only with `captureConsole`)',
  modules: [],
  enable: (context) => captureConsole(context.logger),
};
