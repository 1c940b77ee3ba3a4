import { defineConfig } from 'tsup';

export default defineConfig({
  // One entry per integration, so an application pays only for the logger libraries it uses.
  entry: ['src/index.ts', 'src/pino.ts', 'src/winston.ts', 'src/console.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
});
