import { describe, expect, it } from 'vitest';
import { ratiosChart } from './chart.js';
import { parseOptions } from './options.js';
import { casesTable, checkTargets } from './report.js';
import { plannedCases, runSuite, summarize, type RunRecord } from './suite.js';

describe('the end-to-end suite, for real on a tiny budget', () => {
  it('measures the baseline and OpenTelemetry in child processes against the sink in this one', async () => {
    const options = parseOptions(
      [
        '--agents=none,opentelemetry',
        '--states=up,refused',
        '--runs=1',
        '--warmup-ms=0',
        '--duration-ms=400',
        '--flush-timeout-ms=10000',
        '--recovery=off',
      ],
      {},
      '/unused',
    );
    const { runs, cases } = await runSuite(options);

    expect(runs.map((run) => `${run.agent}/${run.state}`)).toEqual([
      'none/up',
      'opentelemetry/up',
      'opentelemetry/refused',
    ]);
    for (const run of runs) {
      expect(run.requests).toBeGreaterThan(0);
      expect(run.errors).toBe(0);
      expect(run.cpuSeconds).toBeGreaterThan(0);
      expect(run.maxRssMb).toBeGreaterThan(10);
    }
    const [none, up, refused] = cases;
    expect(none!.throughputRatio).toBe(1);
    expect(none!.produced.median).toBe(0);
    // Four spans per request: the load client's call, /a's server span, its call to /b, and /b's server span.
    expect(up!.produced.median).toBe(4 * (runs[1]!.warmupRequests + runs[1]!.requests));
    expect(up!.delivered.median).toBe(up!.produced.median);
    expect(up!.deliveredRatio).toBe(1);
    expect(up!.tracedRatio).toBe(1);
    expect(refused!.produced.median).toBeGreaterThan(0);
    expect(refused!.delivered.median).toBe(0);

    const table = casesTable(cases);
    expect(table.split('\n')).toHaveLength(2 + cases.length);
    expect(table).toContain('| opentelemetry | refused |');
    const svg = ratiosChart(cases, 'test');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/<text[^>]*>(?:\d+\.\d%|n\/a)<\/text>/g)).toHaveLength(2 * 3);
  });
});

describe('windsock in the suite', () => {
  it('traces every request into three segments and delivers them all to the collector', async () => {
    const options = parseOptions(
      [
        '--agents=windsock',
        '--states=up',
        '--runs=1',
        '--warmup-ms=0',
        '--duration-ms=400',
        '--flush-timeout-ms=10000',
        '--recovery=off',
      ],
      {},
      '/unused',
    );
    const { runs, cases } = await runSuite(options);
    const [run] = runs;
    expect(run!.requests).toBeGreaterThan(0);
    expect(run!.produced).toBe(3 * run!.requests);
    expect(run!.delivered).toBe(run!.produced);
    expect(run!.backlogAfterFlush).toBe(0);
    expect(cases[0]!.tracedRatio).toBe(1);
    expect(cases[0]!.throughputRatio).toBeNull(); // no baseline in this run
  });
});

describe('summaries and targets', () => {
  const run = (agent: RunRecord['agent'], state: RunRecord['state'], rps: number, extra = {}) =>
    ({
      agent,
      state,
      run: 1,
      requests: rps,
      errors: 0,
      elapsedMs: 1000,
      requestsPerSecond: rps,
      cpuSeconds: 1,
      maxRssMb: 100,
      warmupRequests: 0,
      heapGrowthMb: 0,
      eventLoopP99Ms: 10,
      produced: 3 * rps,
      delivered: 3 * rps,
      backlogAfterFlush: 0,
      cpus: null,
      ...extra,
    }) satisfies RunRecord;

  it('plans the baseline once and every agent in every state', () => {
    const options = parseOptions(['--agents=none,windsock,skywalking'], {}, '/unused');
    expect(plannedCases(options)).toHaveLength(1 + 2 * 3);
  });

  it('reads the ratios against the median baseline and checks windsock against its targets', () => {
    const runs = [
      run('none', 'up', 1000),
      run('none', 'up', 1200),
      run('none', 'up', 800),
      run('windsock', 'up', 900, { delivered: 2690 }),
      run('windsock', 'refused', 800, { delivered: 0, maxRssMb: 150 }),
    ];
    const options = parseOptions(['--agents=none,windsock', '--states=up,refused'], {}, '/unused');
    const cases = summarize(runs, plannedCases(options));
    expect(cases[1]!.throughputRatio).toBeCloseTo(0.9);
    expect(cases[1]!.deliveredRatio).toBeCloseTo(2690 / 2700);
    const checks = checkTargets(cases, options);
    expect(checks.map((check) => check.met)).toEqual([true, false, false, false]);
    expect(checks[3]!.target).toContain('144 MB');
  });
});
