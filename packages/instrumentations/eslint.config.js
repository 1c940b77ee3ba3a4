import { windsock } from '@windsock/eslint-config';

export default [
  // The fixtures are plain JavaScript applications run by node as a user would write them, outside the TS project.
  { ignores: ['test/fixtures/**'] },
  ...windsock({ tsconfigRootDir: import.meta.dirname }),
];
