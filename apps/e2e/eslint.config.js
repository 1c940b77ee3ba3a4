import { windsock } from '@windsock/eslint-config';

export default [
  // Fixtures are plain JavaScript applications, run by node as a user would write them.
  { ignores: ['test/fixtures/**'] },
  ...windsock({ tsconfigRootDir: import.meta.dirname }),
];
