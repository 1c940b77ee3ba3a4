import { windsock } from '@windsock/eslint-config';

export default windsock({ tsconfigRootDir: import.meta.dirname });
