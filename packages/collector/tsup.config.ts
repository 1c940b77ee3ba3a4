import { windsockTsup } from '@windsock/tsup-config';

// cli.ts is the `windsock-collector` bin (dist/cli.js); tsup keeps its shebang. It has no types of its own.
export default windsockTsup({
  entry: ['src/index.ts', 'src/cli.ts'],
  dts: { entry: ['src/index.ts'] },
});
