import { type Instrumentation } from '@windsock/core';

/** The README's table of library instrumentations, generated from the registry. */
export function instrumentationTable(instrumentations: readonly Instrumentation[]): string {
  const rows = instrumentations.map((i) => {
    const modules = i.modules.map((m) => `\`${m.name}\` ${m.versions}`).join(', ');
    return `| \`${i.name}\` | ${modules} | ${i.description} |`;
  });
  return [
    '| name (`disablePlugins`) | library and versions | what OAP shows |',
    '|---|---|---|',
    ...rows,
  ].join('\n');
}
