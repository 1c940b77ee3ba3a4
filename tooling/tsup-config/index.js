// Every library ships the same shape (ESM + CJS + .d.ts/.d.cts, source maps, Node 20 syntax), so that publint and
// attw see the same package layout everywhere; a package names only its entries and what is really its own.
import { defineConfig } from 'tsup';

/** @param {import('tsup').Options} [overrides] */
export function windsockTsup(overrides = {}) {
  return defineConfig({
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    ...overrides,
  });
}

export default windsockTsup;
