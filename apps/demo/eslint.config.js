import { windsock } from '@windsock/eslint-config';
import tseslint from 'typescript-eslint';

export default [
  ...windsock({ tsconfigRootDir: import.meta.dirname }),
  // The dashboard's browser scripts are served as they are (no build step), so they are plain JavaScript
  // outside the TypeScript project: lint them without type information, with the browser's globals.
  {
    files: ['public/**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      sourceType: 'module',
      globals: {
        document: 'readonly',
        window: 'readonly',
        fetch: 'readonly',
        EventSource: 'readonly',
        console: 'readonly',
        setTimeout: 'readonly',
        Intl: 'readonly',
      },
    },
  },
  // The start-up runner is a plain Node script (run before anything is built), also outside the TypeScript project.
  {
    files: ['scripts/**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      sourceType: 'module',
      globals: {
        process: 'readonly',
        console: 'readonly',
        fetch: 'readonly',
        performance: 'readonly',
        AbortSignal: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
      },
    },
  },
];
