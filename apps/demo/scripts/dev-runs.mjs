#!/usr/bin/env node
// Runs `pnpm dev` several times in a row, as a user would, and says whether each run worked: the dashboard URL
// printed, the page served and telemetry delivered, no error line, and Ctrl-C (SIGINT to the process group, what
// a terminal sends) ending every process with exit code 0. Records the time from launch to the printed URL.
//
//   node apps/demo/scripts/dev-runs.mjs [--runs 10] [--cold] [--dir <workspace>] [--out <file.json>]
//
// --cold removes every package's dist/ and turbo's cache before each run, so each one builds from scratch. It
// deletes build output other tools may be using: point --dir at a clone of its own, not at a tree others work in.
// Ports are free ones (DEMO_*_PORT=0), so the runs do not collide with a demo already running on the defaults.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const URL_TIMEOUT_MS = 300_000;
const READY_TIMEOUT_MS = 60_000;
const EXIT_TIMEOUT_MS = 20_000;
// A line is an error line if it says so; the agent's WARN diagnostics are not expected on a clean start either.
const ERROR_LINE = /error|ERR_|ELIFECYCLE|failed|exception|\bWARN\b|✗|×/i;
// After Ctrl-C: the demo's one line, and the one pnpm 12 prints for any script interrupted by Ctrl-C (it then
// exits by SIGINT, 130 in a shell, however the script ended: pnpm/pnpm#9938).
const STOPPING_LINE = 'windsock demo: stopping';
const PNPM_CTRL_C_LINE = '[ELIFECYCLE] Command failed.';

function parseArgs(argv) {
  const options = {
    runs: 10,
    cold: false,
    dir: fileURLToPath(new URL('../../..', import.meta.url)),
    out: undefined,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') continue;
    if (arg === '--cold') options.cold = true;
    else if (arg === '--runs') options.runs = Number(argv[++i]);
    else if (arg === '--dir') options.dir = resolve(argv[++i]);
    else if (arg === '--out') options.out = resolve(argv[++i]);
    else throw new Error(`unknown option ${arg}`);
  }
  if (!Number.isInteger(options.runs) || options.runs < 1) throw new Error('--runs takes a count');
  if (!existsSync(join(options.dir, 'pnpm-workspace.yaml')))
    throw new Error(`${options.dir} is not the workspace root`);
  return options;
}

/** What a cold start has to rebuild: every workspace package's dist/ and turbo's local cache. */
async function makeCold(dir) {
  for (const group of ['packages', 'tooling', 'apps']) {
    const parent = join(dir, group);
    if (!existsSync(parent)) continue;
    for (const name of readdirSync(parent)) {
      await rm(join(parent, name, 'dist'), { recursive: true, force: true });
      await rm(join(parent, name, '.turbo'), { recursive: true, force: true });
    }
  }
  await rm(join(dir, '.turbo'), { recursive: true, force: true });
  await rm(join(dir, 'node_modules', '.cache', 'turbo'), { recursive: true, force: true });
}

function groupAlive(pgid) {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(condition, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function delivered(url) {
  try {
    const response = await fetch(`${url}/api/snapshot`, { signal: AbortSignal.timeout(2_000) });
    const { history } = await response.json();
    const services = history.at(-1)?.services ?? {};
    return ['frontend', 'inventory'].every(
      (name) => (services[name]?.agent?.pipelines.segments.delivered ?? 0) > 0,
    );
  } catch {
    return false;
  }
}

async function run(options) {
  if (options.cold) await makeCold(options.dir);
  const lines = [];
  const launched = performance.now();
  let interrupted;
  let urlAt;
  const child = spawn('pnpm', ['dev'], {
    cwd: options.dir,
    // Its own process group, so SIGINT reaches pnpm, the demo and its services at once, as Ctrl-C does.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      FORCE_COLOR: '0',
      DEMO_PORT: '0',
      DEMO_COLLECTOR_PORT: '0',
      DEMO_CONTROL_PORT: '0',
      DEMO_FRONTEND_PORT: '0',
      DEMO_INVENTORY_PORT: '0',
    },
  });
  const exited = new Promise((done) => child.on('exit', (code, signal) => done({ code, signal })));
  let exit;
  void exited.then((value) => (exit = value));
  for (const [stream, name] of [
    [child.stdout, 'stdout'],
    [child.stderr, 'stderr'],
  ]) {
    let pending = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk) => {
      pending += chunk;
      const parts = pending.split('\n');
      pending = parts.pop();
      for (const line of parts) {
        if (line.trim() === '') continue;
        lines.push({ stream: name, line, afterSigint: interrupted !== undefined });
        urlAt ??= /dashboard\s+(http:\/\/\S+)/.test(line) ? performance.now() : undefined;
      }
    });
  }

  const result = {
    ok: false,
    loadAverage: loadavg()[0],
    urlMs: undefined,
    readyMs: undefined,
    exitMs: undefined,
    problems: [],
  };
  try {
    const url = await until(
      () => {
        if (exit !== undefined) throw new Error(`pnpm dev exited (${exit.signal ?? exit.code})`);
        return lines.map((l) => /dashboard\s+(http:\/\/\S+)/.exec(l.line)?.[1]).find(Boolean);
      },
      URL_TIMEOUT_MS,
      'no dashboard URL',
    );
    result.urlMs = urlAt - launched;
    const page = await fetch(url);
    if (page.status !== 200 || !(await page.text()).includes('windsock'))
      result.problems.push(`the dashboard answered ${page.status}`);
    await until(() => delivered(url), READY_TIMEOUT_MS, 'no segments delivered by both services');
    result.readyMs = performance.now() - launched;
  } catch (error) {
    result.problems.push(error.message);
  }

  interrupted = performance.now();
  if (groupAlive(child.pid)) process.kill(-child.pid, 'SIGINT');
  const ended = await Promise.race([
    exited,
    new Promise((r) => setTimeout(() => r(undefined), EXIT_TIMEOUT_MS)),
  ]);
  if (ended === undefined) result.problems.push('pnpm dev did not exit after SIGINT');
  else if (ended.code !== 0 && ended.signal !== 'SIGINT' && ended.code !== 130)
    result.problems.push(`exit ${ended.signal ?? `code ${ended.code}`}`);
  result.exit = ended?.signal ?? ended?.code;
  try {
    await until(() => !groupAlive(child.pid), 5_000, 'processes left running');
  } catch (error) {
    result.problems.push(error.message);
    process.kill(-child.pid, 'SIGKILL');
  }
  result.exitMs = performance.now() - interrupted;
  for (const { stream, line, afterSigint } of lines) {
    // pnpm echoes the script it runs on stderr ("$ turbo run build …"): the command, not its output.
    if (stream === 'stderr' && line.startsWith('$ ')) continue;
    if (afterSigint ? ![STOPPING_LINE, PNPM_CTRL_C_LINE].includes(line) : ERROR_LINE.test(line))
      result.problems.push(`${stream}: ${line}`);
  }
  if (!lines.some((l) => l.afterSigint && l.line === STOPPING_LINE))
    result.problems.push(`no "${STOPPING_LINE}" line after SIGINT`);
  result.pnpmCtrlCLine = lines.some((l) => l.afterSigint && l.line === PNPM_CTRL_C_LINE);
  // turbo's own summary: how much of the wait was the build, and how much of it came from its cache.
  for (const { line } of lines) {
    // "Time: 977ms", "Time: 35.4s" or "Time: 1m32.5s"
    const time = /^\s*Time:\s+(?:(\d+)m)?([\d.]+)(ms|s)\b/.exec(line);
    if (time) {
      const minutes = Number(time[1] ?? 0);
      result.buildMs = Math.round(
        minutes * 60_000 + Number(time[2]) * (time[3] === 's' ? 1000 : 1),
      );
    }
    const cached = /^\s*Cached:\s+(\d+) cached, (\d+) total/.exec(line);
    if (cached) result.cachedTasks = `${cached[1]}/${cached[2]}`;
  }
  result.ok = result.problems.length === 0;
  result.output = lines.map((l) => l.line);
  return result;
}

const seconds = (ms) => (ms === undefined ? '-' : `${(ms / 1000).toFixed(1)} s`);
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

const options = parseArgs(process.argv.slice(2));
const started = new Date();
const load = { before: loadavg()[0] };
console.log(
  `pnpm dev × ${options.runs} (${options.cold ? 'cold: dist/ and turbo cache removed before each run' : 'warm'}) in ${options.dir}`,
);
const results = [];
for (let i = 1; i <= options.runs; i++) {
  const result = await run(options);
  results.push(result);
  console.log(
    `run ${String(i).padStart(2)}/${options.runs}  ${result.ok ? 'ok    ' : 'FAILED'}  URL after ${seconds(result.urlMs)} (build ${seconds(result.buildMs)}, ${result.cachedTasks ?? '?'} cached), telemetry delivered after ${seconds(result.readyMs)}, all processes gone ${seconds(result.exitMs)} after SIGINT`,
  );
  for (const problem of result.problems) console.log(`      ${problem}`);
}
load.after = loadavg()[0];
const ok = results.filter((r) => r.ok);
const urls = results.map((r) => r.urlMs).filter((v) => v !== undefined);
console.log(
  `${ok.length}/${results.length} runs ok; launch → URL median ${seconds(median(urls))}, min ${seconds(Math.min(...urls))}, max ${seconds(Math.max(...urls))}`,
);
if (options.out !== undefined) {
  await writeFile(
    options.out,
    `${JSON.stringify(
      {
        mode: options.cold ? 'cold' : 'warm',
        started: started.toISOString(),
        node: process.version,
        cores: cpus().length,
        loadAverage: load,
        runs: results.map(({ output, ...r }) => ({
          ...r,
          urlMs: r.urlMs && Math.round(r.urlMs),
          readyMs: r.readyMs && Math.round(r.readyMs),
          exitMs: Math.round(r.exitMs),
          ...(r.ok ? {} : { output }),
        })),
      },
      null,
      2,
    )}\n`,
  );
}
process.exitCode = ok.length === results.length ? 0 : 1;
