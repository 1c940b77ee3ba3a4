import { windsock } from '@windsock/eslint-config';

// Fixture apps are plain JavaScript run by child processes, outside the TypeScript project.
export default [
  { ignores: ['test/fixtures/**'] },
  ...windsock({ tsconfigRootDir: import.meta.dirname }),
];
