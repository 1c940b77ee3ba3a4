// `pnpm soak`: every scenario of the matrix, with outages of a configurable length (default 10 minutes), then the
// summary table. Options: `--minutes 10` (outage length), `--warm-seconds 20`, `--only name,name`, `--short` (the
// test profile), `--parallel 1` (scenarios run at once; each app and its load take about one core), `--json file`
// (every result, for RELIABILITY.md).
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { SHORT_PROFILE, soakProfile } from './profile.js';
import { runScenario, type ScenarioResult } from './run-scenario.js';
import { SCENARIOS } from './scenarios.js';
import { formatTable } from './table.js';

// `pnpm soak -- --minutes 2` hands the `--` on to the script (pnpm 12): a leading one is the caller's separator.
const args = process.argv.slice(2);
const { values } = parseArgs({
  args: args[0] === '--' ? args.slice(1) : args,
  options: {
    minutes: { type: 'string', default: process.env.SOAK_MINUTES ?? '10' },
    'warm-seconds': { type: 'string', default: '20' },
    only: { type: 'string' },
    short: { type: 'boolean', default: false },
    json: { type: 'string' },
    parallel: { type: 'string', default: '1' },
  },
});

const minutes = Number(values.minutes);
const warmSeconds = Number(values['warm-seconds']);
const parallel = Number(values.parallel);
if (!(minutes > 0) || !(warmSeconds >= 0) || !Number.isInteger(parallel) || parallel < 1) {
  process.stderr.write(
    'soak: --minutes must be a positive number, --warm-seconds zero or more, --parallel a positive integer\n',
  );
  process.exit(2);
}
const profile = values.short ? SHORT_PROFILE : soakProfile(minutes, warmSeconds);
const only = values.only?.split(',').map((s) => s.trim());
const unknown = only?.filter((name) => !SCENARIOS.some((s) => s.name === name)) ?? [];
if (unknown.length > 0) {
  process.stderr.write(
    `soak: no scenario named ${unknown.join(', ')}; the scenarios are ${SCENARIOS.map((s) => s.name).join(', ')}\n`,
  );
  process.exit(2);
}
const scenarios = SCENARIOS.filter((s) => only === undefined || only.includes(s.name));

process.stdout.write(
  `windsock soak: ${scenarios.length} scenarios, profile ${profile.name}, ${parallel} at a time, app under --stack-size=${profile.stackSizeKb ?? 'default'}\n`,
);
const results = new Map<string, ScenarioResult>();
const pending = [...scenarios];
async function worker(): Promise<void> {
  for (let scenario = pending.shift(); scenario !== undefined; scenario = pending.shift()) {
    const startedAt = Date.now();
    const result = await runScenario(scenario, profile);
    results.set(scenario.name, result);
    const verdict =
      result.problems.length === 0 ? 'pass' : `FAIL\n  ${result.problems.join('\n  ')}`;
    process.stdout.write(
      `${scenario.name}: ${((Date.now() - startedAt) / 1_000).toFixed(0)} s, ${verdict}\n`,
    );
    if (values.json !== undefined) await writeFile(values.json, JSON.stringify(ordered(), null, 2));
  }
}
/** Results in the matrix's order, whatever order they finished in. */
function ordered(): ScenarioResult[] {
  return scenarios.flatMap((s) => results.get(s.name) ?? []);
}
await Promise.all(Array.from({ length: Math.min(parallel, scenarios.length) }, worker));
process.stdout.write(`\n${formatTable(ordered())}\n`);
process.exitCode = ordered().every((r) => r.problems.length === 0) ? 0 : 1;
