import { defineConfig } from 'tsup';

export default defineConfig({
  // cli.ts is the `windsock-collector` bin (dist/cli.js); tsup keeps its shebang.
  entry: ['src/index.ts', 'src/cli.ts'],
  format: ['esm', 'cjs'],
  dts: { entry: ['src/index.ts'] },
  sourcemap: true,
  clean: true,
  target: 'node20',
});
