// What every instrumentation bench shares: a tracer whose sink only counts segments, the instrumentation context on
// it, and a way to load a second, untouched copy of a library beside the one the plugin patches.
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import {
  createDiagnosticLogger,
  createLogger,
  createTracer,
  DEFAULT_INSTRUMENTATION_SETTINGS,
  type InstrumentationContext,
  type Tracer,
} from '@windsock/core';

export interface BenchTracing {
  tracer: Tracer;
  context: InstrumentationContext;
  /** Segments the sink received: printed beside the figures, so a bench that traced nothing shows it. */
  segmentsReported: () => number;
}

export function benchTracing(): BenchTracing {
  let reported = 0;
  const sink = { segment: () => void (reported += 1), log: () => {}, meters: () => {} };
  const tracer = createTracer({ serviceName: 'bench', serviceInstance: 'bench-1', sink });
  const context: InstrumentationContext = {
    tracer,
    logger: createLogger({ tracer, sink, serviceName: 'bench', serviceInstance: 'bench-1' }),
    diagnostics: createDiagnosticLogger({ write: (line) => console.error(line), throttleMs: 0 }),
    settings: DEFAULT_INSTRUMENTATION_SETTINGS,
  };
  return { tracer, context, segmentsReported: () => reported };
}

const require = createRequire(import.meta.url);

/**
 * Loads a fresh copy of package `name`: its files (and those of `alsoFresh`, packages it depends on) are dropped from
 * the require cache first, so the copy loaded before a plugin was enabled stays as it was.
 */
export function requireFresh<T>(name: string, alsoFresh: readonly string[] = []): T {
  const root = dirname(require.resolve(`${name}/package.json`));
  const inside = createRequire(`${root}/`);
  const roots = [root, ...alsoFresh.map((dep) => dirname(inside.resolve(`${dep}/package.json`)))];
  for (const key of Object.keys(require.cache)) {
    if (roots.some((r) => key.startsWith(r))) delete require.cache[key];
  }
  return require(name) as T;
}
