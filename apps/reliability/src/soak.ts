// `pnpm soak`: every scenario of the matrix, one after another, with outages of a configurable length (default
// 10 minutes), then the summary table. Options: `--minutes 10` (outage length), `--warm-seconds 20`,
// `--only name,name`, `--short` (the test profile), `--json file` (every result, for RELIABILITY.md).
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { SHORT_PROFILE, soakProfile } from './profile.js';
import { runScenario, type ScenarioResult } from './run-scenario.js';
import { SCENARIOS } from './scenarios.js';
import { formatTable } from './table.js';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: process.env.SOAK_MINUTES ?? '10' },
    'warm-seconds': { type: 'string', default: '20' },
    only: { type: 'string' },
    short: { type: 'boolean', default: false },
    json: { type: 'string' },
  },
});

const minutes = Number(values.minutes);
const warmSeconds = Number(values['warm-seconds']);
if (!(minutes > 0) || !(warmSeconds >= 0)) {
  process.stderr.write('soak: --minutes must be a positive number, --warm-seconds zero or more\n');
  process.exit(2);
}
const profile = values.short ? SHORT_PROFILE : soakProfile(minutes, warmSeconds);
const only = values.only?.split(',').map((s) => s.trim());
const scenarios = SCENARIOS.filter((s) => only === undefined || only.includes(s.name));

process.stdout.write(
  `windsock soak: ${scenarios.length} scenarios, profile ${profile.name}, app under --stack-size=${profile.stackSizeKb ?? 'default'}\n`,
);
const results: ScenarioResult[] = [];
for (const scenario of scenarios) {
  const startedAt = Date.now();
  const result = await runScenario(scenario, profile);
  results.push(result);
  const verdict = result.problems.length === 0 ? 'pass' : `FAIL\n  ${result.problems.join('\n  ')}`;
  process.stdout.write(
    `${scenario.name}: ${((Date.now() - startedAt) / 1_000).toFixed(0)} s, ${verdict}\n`,
  );
  if (values.json !== undefined) await writeFile(values.json, JSON.stringify(results, null, 2));
}
process.stdout.write(`\n${formatTable(results)}\n`);
process.exitCode = results.every((r) => r.problems.length === 0) ? 0 : 1;
