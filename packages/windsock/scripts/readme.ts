// Regenerates the README's generated sections (the settings table, the library instrumentations table) from the
// code they describe: `pnpm --filter windsock readme`, then `pnpm format`. A test fails while they differ.
import { readFileSync, writeFileSync } from 'node:fs';
import { instrumentationTable, INSTRUMENTATIONS } from '@windsock/instrumentations';
import { configurationTable } from '../src/config.js';

const file = new URL('../README.md', import.meta.url);
let readme = readFileSync(file, 'utf8');
for (const [name, table] of [
  ['settings', configurationTable()],
  ['instrumentations', instrumentationTable(INSTRUMENTATIONS)],
] as const) {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const from = readme.indexOf(start);
  const to = readme.indexOf(end);
  if (from < 0 || to < from) throw new Error(`README.md has no ${start} … ${end} section`);
  readme = `${readme.slice(0, from + start.length)}\n\n${table}\n\n${readme.slice(to)}`;
}
writeFileSync(file, readme);
