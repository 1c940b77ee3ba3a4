import { readFileSync } from 'node:fs';
import { windsockTsup } from '@windsock/tsup-config';

const { version } = JSON.parse(
  readFileSync(new URL('./package.json', import.meta.url), 'utf8'),
) as {
  version: string;
};

// The version is baked in for the `agent-version` metadata OAP records.
export default windsockTsup({
  entry: ['src/index.ts', 'src/register.ts'],
  define: { __WINDSOCK_VERSION__: JSON.stringify(version) },
});
