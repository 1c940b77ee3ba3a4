/**
 * `pnpm bench:e2e`: the end-to-end suite. Every configuration runs in a fresh child process against receivers in
 * this process; the figures go to stdout as markdown, and to results/ as JSON and an SVG chart.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { AGENTS, type AgentName } from './agents/index.js';
import { ratiosChart } from './chart.js';
import { type BenchOptions, parseOptions, USAGE } from './options.js';
import { runRecovery, type RecoveryResult } from './recovery.js';
import { pinThisProcess } from './cpu-pinning.js';
import { type ProfiledRun, profileAgent } from './cpu-profile.js';
import {
  casesTable,
  checkTargets,
  profileTable,
  recoveryTable,
  type TargetCheck,
  targetsTable,
} from './report.js';
import { runSuite, startReceivers } from './suite.js';

const RESULTS_DIR = fileURLToPath(new URL('../results/', import.meta.url));

/** windsock is measured only when its facade is built (resolving fails while dist/ is missing). */
function windsockAvailable(): boolean {
  try {
    createRequire(import.meta.url).resolve('windsock');
    return existsSync(
      fileURLToPath(new URL(`./agents/${AGENTS.windsock.module}`, import.meta.url)),
    );
  } catch {
    return false;
  }
}

async function runRecoveries(options: BenchOptions, log: (line: string) => void) {
  const agents = options.agents.filter(
    (agent): agent is Exclude<AgentName, 'none'> => agent !== 'none',
  );
  const receivers = await startReceivers(agents);
  const results: RecoveryResult[] = [];
  try {
    for (const agent of agents) {
      log(`recovery ${agent}: ${options.recovery.outageMs / 1000} s outage under load`);
      results.push(await runRecovery(agent, receivers.for(agent), options));
    }
  } finally {
    await receivers.stop();
  }
  return results;
}

async function runProfiles(
  options: BenchOptions,
  targets: readonly TargetCheck[],
  log: (line: string) => void,
): Promise<ProfiledRun[]> {
  const agents =
    options.cpuProfile === 'auto'
      ? targets.some((check) => check.met === false)
        ? (['windsock'] as const)
        : []
      : options.cpuProfile;
  if (agents.length === 0) return [];
  const receivers = await startReceivers(agents);
  try {
    const runs: ProfiledRun[] = [];
    for (const agent of agents) {
      log(`profiling ${agent}`);
      runs.push(await profileAgent(agent, receivers.for(agent), options));
    }
    return runs;
  } finally {
    await receivers.stop();
  }
}

async function main(): Promise<void> {
  if (process.argv.includes('--help')) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const options = parseOptions(process.argv.slice(2), process.env, RESULTS_DIR);
  const notes: string[] = [];
  const isWindsock = (agent: AgentName) => agent.startsWith('windsock');
  if (options.agents.some(isWindsock) && !windsockAvailable()) {
    options.agents = options.agents.filter((agent) => !isWindsock(agent));
    notes.push('windsock skipped: its facade is not built (`pnpm --filter windsock build`).');
  }
  const log = (line: string) => process.stderr.write(`${line}\n`);
  if (options.pin) {
    const plan = pinThisProcess();
    notes.push(
      `Pinned: the measured process on CPU ${plan.child}, the receivers on CPU ${plan.parent}.`,
    );
  }
  const startedAt = new Date();
  const loadBefore = loadavg();

  const suite = await runSuite(options, log);
  const recovery = options.recovery.enabled ? await runRecoveries(options, log) : [];
  const targets = checkTargets(suite.cases, options);
  const profiles = await runProfiles(options, targets, log);

  const machine = {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGb: Math.round(totalmem() / 1024 ** 3),
    node: process.version,
    loadAverageBefore: loadBefore,
    loadAverageAfter: loadavg(),
  };
  const title = `windsock e2e (${options.profile}${options.app === 'express' ? ', Express app' : ''}): ${machine.cpus} cores, concurrency ${options.concurrency}, ${options.durationMs / 1000} s × ${options.runs} runs`;

  const sections = [
    `## ${title}`,
    ...notes,
    casesTable(suite.cases),
    ...(recovery.length > 0 ? ['### Recovery', recoveryTable(recovery)] : []),
    ...(targets.length > 0 ? ['### Targets', targetsTable(targets)] : []),
    ...profiles.map(profileTable),
    `load average before ${loadBefore.map((v) => v.toFixed(2)).join(' ')}, after ${machine.loadAverageAfter.map((v) => v.toFixed(2)).join(' ')}`,
  ];
  process.stdout.write(`${sections.join('\n\n')}\n`);

  await mkdir(options.outDir, { recursive: true });
  const base = `${options.outDir}/e2e-${options.profile}`;
  const record = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    machine,
    options,
    notes,
    cases: suite.cases,
    targets,
    profiles,
    // Samples are many; keep them, they are what the recovery figures were read from.
    recovery,
    runs: suite.runs,
  };
  await writeFile(`${base}.json`, `${JSON.stringify(record, null, 2)}\n`);
  await writeFile(`${base}.svg`, ratiosChart(suite.cases, title));
  log(`wrote ${base}.json and ${base}.svg`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${String((error as Error)?.stack ?? error)}\n`);
  process.exitCode = 1;
});
