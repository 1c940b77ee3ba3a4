import { type Instrumentation } from '@windsock/core';

/** The README's table of instrumentations, generated from the registry (`—`: nothing to hook, Node or core own it). */
export function instrumentationTable(instrumentations: readonly Instrumentation[]): string {
  const rows = instrumentations.map((i) => {
    const modules =
      i.modules.length === 0
        ? '—'
        : i.modules.map((m) => `\`${m.name}\` ${cell(m.versions)}`).join(', ');
    return `| \`${i.name}\` | ${modules} | ${cell(i.description)} |`;
  });
  return [
    '| name (`disablePlugins`) | library and versions | what OAP shows |',
    '|---|---|---|',
    ...rows,
  ].join('\n');
}

/** A table cell's text: a `|` (a semver `||`) would end the cell. */
function cell(text: string): string {
  return text.replaceAll('|', '\\|');
}
