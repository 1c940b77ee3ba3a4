// `--import windsock/register` and `-r windsock/register`, run as real child processes on the built package, so
// crashes, exit codes and stderr are observed from outside.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { fault, startCollector, type Collector } from '@windsock/collector';
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentStatus } from '../src/index.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
let collector: Collector | undefined;

afterEach(async () => {
  await collector?.stop();
  collector = undefined;
});

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, {
      cwd: packageDir,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('exit', (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

function expectDelivered(result: Run, c: Collector): void {
  expect(result.signal, result.stderr).toBeNull();
  expect(result.code, result.stderr).toBe(0);
  const status = JSON.parse(result.stdout.trim().split('\n').at(-1)!) as AgentStatus;
  // 3 requests, each: the app's own call (its own segment), the frontend entry + exit, the backend entry.
  expect(status.pipelines.segments).toMatchObject({
    produced: 9,
    delivered: 9,
    queued: 0,
    inFlight: 0,
  });
  expect(c.counts().segments).toBe(9);
  const services = new Set(c.segments().map((s) => s.service));
  expect([...services]).toEqual(['fixture']);
  expect(c.instances().some((i) => i.serviceInstance === 'fixture-1')).toBe(true);
}

describe('windsock/register', () => {
  it('traces an ES module app started with --import, and the process exits by itself', async () => {
    collector = await startCollector({ port: 0 });
    const result = await run(['--import', 'windsock/register', 'test/fixtures/app.mjs'], {
      SW_AGENT_NAME: 'fixture',
      SW_AGENT_INSTANCE: 'fixture-1',
      SW_AGENT_COLLECTOR_BACKEND_SERVICES: collector.address,
      SW_AGENT_LINGER: '10ms',
    });
    expectDelivered(result, collector);
  });

  it('traces a CommonJS app started with -r, and the process exits by itself', async () => {
    collector = await startCollector({ port: 0 });
    const result = await run(['-r', 'windsock/register', 'test/fixtures/app.cjs'], {
      SW_AGENT_NAME: 'fixture',
      SW_AGENT_INSTANCE: 'fixture-1',
      SW_AGENT_COLLECTOR_BACKEND_SERVICES: collector.address,
      SW_AGENT_LINGER: '10ms',
    });
    expectDelivered(result, collector);
    // A -r preload runs again in the thread Node starts for module.register hooks: one agent, and the ES module
    // loader registered once (a second registration makes import-in-the-middle print a warning).
    const announced = collector
      .requests()
      .filter((r) => r.method.endsWith('reportInstanceProperties'));
    expect(announced).toHaveLength(1);
    expect(result.stderr).not.toMatch(/already been initialized/);
  });

  it('prints every bad variable once and runs the application without the agent', async () => {
    const result = await run(['--import', 'windsock/register', 'test/fixtures/bad-env.mjs'], {
      SW_AGENT_SAMPLE: 'lots',
      SW_AGENT_COLLECTOR_BACKEND_SERVICES: 'nowhere',
      SW_AGENT_MAX_BUFFER_BYTES: '-1',
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('app ran\n');
    expect(result.stderr).toContain('SW_AGENT_SAMPLE (sampleRate) = "lots"');
    expect(result.stderr).toContain('SW_AGENT_COLLECTOR_BACKEND_SERVICES (collector) = "nowhere"');
    expect(result.stderr).toContain('SW_AGENT_MAX_BUFFER_BYTES (maxBufferBytes) = "-1"');
    expect(result.stderr.match(/invalid configuration/g)).toHaveLength(1);
  });

  it('with shutdownOnSignals, SIGTERM flushes what is queued and ends the process', async () => {
    collector = await startCollector({ port: 0 });
    const child = spawn(process.execPath, ['test/fixtures/signals.mjs'], {
      cwd: packageDir,
      env: { ...process.env, COLLECTOR: collector.address },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve) =>
      child.stdout.on('data', (c: Buffer) => c.toString().includes('ready') && resolve()),
    );
    expect(collector.counts().segments).toBe(0); // still lingering in the queue
    const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.kill('SIGTERM');
    const [, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
      child.on('exit', (code, sig) => resolve([code, sig])),
    );
    clearTimeout(killer);
    expect(signal).toBe('SIGTERM'); // ended by the signal it was sent, after the flush
    expect(collector.counts().segments).toBe(10); // 5 requests: the app's call and the server's entry each
  });

  // Every agent timer is unref'd, so with the backend down nothing of the agent keeps the loop alive: an awaited
  // flush() or shutdown() must settle when the process is about to exit. The fixtures' timeouts (10 minutes) are
  // beyond run()'s 30 s kill, so a call that waited for its timeout fails the test as a killed process.
  it('a script awaiting flush() and shutdown() with the backend refused runs to its end and exits 0 (ESM)', async () => {
    collector = await startCollector({ port: 0 });
    await collector.setFault(fault.refuse());
    const result = await run(['test/fixtures/await-flush-refused.mjs'], {
      COLLECTOR: collector.address,
    });
    expect(result.signal, result.stderr).toBeNull();
    expect(result.code, result.stderr).toBe(0);
    const [flushed, shutDown] = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { step: string; ms: number; [k: string]: unknown });
    expect(flushed).toMatchObject({ step: 'flushed', flushed: { done: false } });
    expect((flushed!.flushed as { remaining: number }).remaining).toBeGreaterThan(0);
    expect(shutDown!.step).toBe('shut down');
    const status = shutDown!.status as AgentStatus;
    expect(status.state).toBe('stopped');
    // The log line and the meters were never delivered, and are accounted for as such.
    for (const name of ['logs', 'meters'] as const) {
      const p = status.pipelines[name];
      const dropped = Object.values(p.dropped).reduce((a, b) => a + b, 0);
      expect(p.produced, name).toBeGreaterThan(0);
      expect(p.delivered, name).toBe(0);
      expect(p.queued + p.inFlight, name).toBe(0);
      expect(p.produced, name).toBe(dropped);
    }
  });

  it('the same with shutdown() awaited in a CommonJS async function', async () => {
    collector = await startCollector({ port: 0 });
    await collector.setFault(fault.refuse());
    const result = await run(['test/fixtures/await-shutdown-refused.cjs'], {
      COLLECTOR: collector.address,
    });
    expect(result.code, result.stderr).toBe(0);
    const shutDown = JSON.parse(result.stdout.trim()) as { step: string; status: AgentStatus };
    expect(shutDown.step).toBe('shut down');
    expect(shutDown.status.state).toBe('stopped');
    expect(shutDown.status.pipelines.logs.produced).toBe(1);
  });

  describe('after an outage long enough to open the breaker (nothing of the agent left in the event loop)', () => {
    type Line = { step: string; state: string; [key: string]: unknown };
    const lines = (result: Run): Line[] =>
      result.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Line);
    const expectAllSettled = (status: AgentStatus): void => {
      for (const [name, p] of Object.entries(status.pipelines)) {
        const dropped = Object.values(p.dropped).reduce((a, b) => a + b, 0);
        expect(p.queued + p.inFlight, name).toBe(0);
        expect(p.produced, name).toBe(p.delivered + dropped);
      }
    };

    it('awaited flush() calls (12 at once) and shutdown() settle, the module runs to its end, no warning', async () => {
      collector = await startCollector({ port: 0 });
      await collector.setFault(fault.refuse());
      const result = await run(['test/fixtures/exit-after-outage.mjs', 'await'], {
        COLLECTOR: collector.address,
      });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).not.toMatch(/Warning/); // e.g. MaxListenersExceededWarning from shared signals
      const [worked, flushed, shutDown] = lines(result);
      expect(worked).toMatchObject({ step: 'worked', state: 'disconnected' });
      expect(flushed).toMatchObject({ step: 'flushed', flushed: { done: false } });
      expect(shutDown).toMatchObject({ step: 'shut down', state: 'stopped' });
      // Settled at the exit: nothing left queued or in flight, everything counted under a reason.
      const status = shutDown!.status as AgentStatus;
      expectAllSettled(status);
      expect(status.pipelines.logs.produced).toBe(2);
      expect(status.pipelines.meters.produced).toBeGreaterThan(0); // the last collection, jobs_total included
    });

    it("shutdown() awaited in the application's own 'beforeExit' handler settles", async () => {
      collector = await startCollector({ port: 0 });
      await collector.setFault(fault.refuse());
      const result = await run(['test/fixtures/exit-after-outage.mjs', 'handler'], {
        COLLECTOR: collector.address,
      });
      expect(result.code, result.stderr).toBe(0);
      const shutDown = lines(result).find((l) => l.step === 'shut down');
      expect(shutDown).toMatchObject({ state: 'stopped' });
      expectAllSettled(shutDown!.status as AgentStatus);
    });

    it("flush() from every 'beforeExit' emission does not keep the process alive", async () => {
      collector = await startCollector({ port: 0 });
      await collector.setFault(fault.refuse());
      const result = await run(['test/fixtures/exit-after-outage.mjs', 'every'], {
        COLLECTOR: collector.address,
      });
      expect(result.signal, 'killed: the process never exited').toBeNull();
      expect(result.code, result.stderr).toBe(0);
      const flushes = lines(result).filter((l) => l.step === 'flushed');
      expect(flushes.length).toBeGreaterThan(0);
      expect(flushes.length).toBeLessThanOrEqual(2);
    });
  });

  it('shutdown() with the backend blackholed returns within its timeout and the process exits', async () => {
    collector = await startCollector({ port: 0 });
    await collector.setFault(fault.blackhole());
    const result = await run(['test/fixtures/shutdown-blackhole.mjs'], {
      COLLECTOR: collector.address,
    });
    expect(result.signal, result.stderr).toBeNull();
    expect(result.code, result.stderr).toBe(0);
    const { shutdownMs, status } = JSON.parse(result.stdout.trim()) as {
      shutdownMs: number;
      status: AgentStatus;
    };
    expect(shutdownMs).toBeLessThanOrEqual(1_500 + 250);
    expect(status.state).toBe('stopped');
    const segments = status.pipelines.segments;
    expect(segments.produced).toBe(40); // 20 requests: client and server segment each
    expect(segments.delivered).toBe(0);
    expect(
      segments.dropped.unacknowledged +
        segments.dropped.shutdown +
        segments.queued +
        segments.inFlight,
    ).toBe(40);
  });
});
