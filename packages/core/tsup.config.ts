import { windsockTsup } from '@windsock/tsup-config';

// One entry per integration, so an application pays only for the logger libraries it uses.
export default windsockTsup({
  entry: ['src/index.ts', 'src/pino.ts', 'src/winston.ts', 'src/console.ts'],
});
