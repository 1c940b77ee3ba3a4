import { AGENTS } from './agents/index.js';
import { type ProfiledRun } from './cpu-profile.js';
import { type BenchOptions } from './options.js';
import { type RecoveryResult } from './recovery.js';
import { type Spread, relativeSpread } from './stats.js';
import { type CaseSummary } from './suite.js';

const fixed = (value: number, digits = 0) => (Number.isFinite(value) ? value.toFixed(digits) : '-');
const percent = (value: number | null, digits = 1) =>
  value === null ? '-' : `${(value * 100).toFixed(digits)} %`;
const withSpread = (value: Spread, digits = 0) =>
  `${fixed(value.median, digits)} ±${(relativeSpread(value) * 100).toFixed(0)}%`;
const seconds = (ms: number | null) => (ms === null ? 'never' : `${(ms / 1000).toFixed(2)} s`);

/** The main table: one row per agent and backend state, medians with their spread over the runs. */
export function casesTable(cases: readonly CaseSummary[]): string {
  const lines = [
    '| agent | backend | req/s | vs no agent | traced | produced | delivered | delivered % | CPU s | CPU µs/req | max RSS MB | heap Δ MB | loop p99 ms |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const row of cases) {
    const none = AGENTS[row.agent].receiver === 'none';
    lines.push(
      [
        row.agent,
        none ? '-' : row.state,
        withSpread(row.requestsPerSecond),
        percent(row.throughputRatio),
        percent(row.tracedRatio, 0),
        none ? '-' : `${fixed(row.produced.median)} ${row.unit}`,
        none ? '-' : fixed(row.delivered.median),
        none ? '-' : percent(row.deliveredRatio, 2),
        fixed(row.cpuSeconds.median, 2),
        fixed(row.cpuMicrosPerRequest.median),
        fixed(row.maxRssMb.median, 1),
        fixed(row.heapGrowthMb.median, 1),
        fixed(row.eventLoopP99Ms.median, 1),
      ]
        .join(' | ')
        .replace(/^/, '| ')
        .concat(' |'),
    );
  }
  return lines.join('\n');
}

export function recoveryTable(results: readonly RecoveryResult[]): string {
  const lines = [
    '| agent | outage | first delivery after up | backlog drained after | peak backlog (produced − delivered) | not delivered at end | delivered % after flush |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const result of results) {
    const ratio = result.child.produced === 0 ? null : result.delivered / result.child.produced;
    lines.push(
      `| ${result.agent} | ${seconds(result.outageMs)} | ${seconds(result.firstDeliveryMs)} | ` +
        `${seconds(result.drainedMs)} | ${result.peakGap} ${result.unit} | ` +
        `${result.child.produced - result.delivered} | ${percent(ratio, 2)} |`,
    );
  }
  return lines.join('\n');
}

export function profileTable(run: ProfiledRun): string {
  const pct = (share: number) => `${(share * 100).toFixed(1)} %`;
  const lines = [
    `CPU profile of one \`${run.agent}\` run (backend up, ${fixed(run.requestsPerSecond)} req/s, ${fixed(run.summary.totalMs)} ms sampled), self time:`,
    '',
    '| package | share | | function | share |',
    '| --- | ---: | --- | --- | ---: |',
  ];
  const rows = Math.max(run.summary.byPackage.length, run.summary.byFunction.length);
  for (let index = 0; index < rows; index += 1) {
    const where = run.summary.byPackage[index];
    const what = run.summary.byFunction[index];
    lines.push(
      `| ${where?.where ?? ''} | ${where === undefined ? '' : pct(where.share)} | | ` +
        `${what === undefined ? '' : `\`${what.where}\``} | ${what === undefined ? '' : pct(what.share)} |`,
    );
  }
  return lines.join('\n');
}

export interface TargetCheck {
  target: string;
  measured: string;
  met: boolean | null;
}

/** The issue's targets for windsock, read from the figures (never asserted: the machine is shared). */
export function checkTargets(cases: readonly CaseSummary[], options: BenchOptions): TargetCheck[] {
  const find = (agent: string, state: string) =>
    cases.find((row) => row.agent === agent && row.state === state);
  const none = find('none', 'up');
  const checks: TargetCheck[] = [];
  const up = find('windsock', 'up');
  if (up !== undefined) {
    checks.push({
      target: 'backend up: ≥ 85 % of the no-agent request rate',
      measured: percent(up.throughputRatio),
      met: up.throughputRatio === null ? null : up.throughputRatio >= 0.85,
    });
    checks.push({
      target: 'backend up: ≥ 99.9 % of segments delivered',
      measured: percent(up.deliveredRatio, 2),
      met: up.deliveredRatio === null ? null : up.deliveredRatio >= 0.999,
    });
  }
  for (const state of ['refused', 'blackhole'] as const) {
    const row = find('windsock', state);
    if (row === undefined) continue;
    checks.push({
      target: `backend ${state}: ≥ 85 % of the no-agent request rate`,
      measured: percent(row.throughputRatio),
      met: row.throughputRatio === null ? null : row.throughputRatio >= 0.85,
    });
    if (none !== undefined) {
      const limit = none.maxRssMb.median + options.windsockQueueBudgetMb + 20;
      checks.push({
        target: `backend ${state}: max RSS ≤ no agent + ${options.windsockQueueBudgetMb} MB queue budgets + 20 MB (${fixed(limit)} MB)`,
        measured: `${fixed(row.maxRssMb.median, 1)} MB`,
        met: row.maxRssMb.median <= limit,
      });
    }
  }
  return checks;
}

export function targetsTable(checks: readonly TargetCheck[]): string {
  const lines = ['| windsock target | measured | met |', '| --- | ---: | :---: |'];
  for (const check of checks) {
    const met = check.met === null ? '-' : check.met ? 'yes' : '**no**';
    lines.push(`| ${check.target} | ${check.measured} | ${met} |`);
  }
  return lines.join('\n');
}
