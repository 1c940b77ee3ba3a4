// What a stock SkyWalking OAP can do with the meters windsock sends: the names its own rule file
// (meter-analyzer-config/nodejs-runtime.yaml) reads, with plausible values in their units, and windsock's rule file
// oap/windsock.yaml for everything else, checked against what a running agent really sends.
import { readFileSync } from 'node:fs';
import { startCollector, type Collector } from '@windsock/collector';
import { type MeterData } from '@windsock/protocol';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseRuleFile, parseExpression, type RuleFile } from './oap-rule-file.js';
import { start, type Agent } from '../src/index.js';

/** The rules of OAP's nodejs-runtime.yaml: the six its first version and dashboard read, then the Apache agent's. */
const OAP_DASHBOARD_METERS = [
  'instance_nodejs_process_cpu',
  'instance_nodejs_heap_used',
  'instance_nodejs_heap_total',
  'instance_nodejs_heap_limit',
  'instance_nodejs_rss',
  'instance_nodejs_external_memory',
];
const OAP_NODEJS_METERS = [
  ...OAP_DASHBOARD_METERS,
  'instance_nodejs_array_buffers',
  'instance_nodejs_uptime',
  'instance_nodejs_peak_malloced_memory',
  'instance_nodejs_malloced_memory',
  'instance_nodejs_old_space_used',
  'instance_nodejs_new_space_used',
];

let collector: Collector | undefined;
let agent: Agent | undefined;

afterEach(async () => {
  await agent?.shutdown({ timeoutMs: 2_000 });
  agent = undefined;
  await collector?.stop();
  collector = undefined;
});

/** The meters one collection of a running agent delivers: shutdown() takes a last one and sends it. */
async function meterCollection(): Promise<MeterData[]> {
  collector = await startCollector({ port: 0 });
  agent = start({
    serviceName: 'orders',
    serviceInstance: 'orders-1',
    collector: collector.address,
    meterIntervalMs: 3_600_000,
    diagnostics: () => {},
  });
  // Some CPU work for the process CPU meter to see between the agent's start and its collection.
  const started = process.cpuUsage();
  let spin = 0;
  while (process.cpuUsage(started).user < 20_000) spin += Math.sqrt(spin + 1);
  await agent.shutdown({ timeoutMs: 5_000 });
  return collector.meters();
}

function singleValues(meters: MeterData[]): Map<string, number> {
  const values = new Map<string, number>();
  for (const data of meters) {
    if (data.singleValue !== undefined && data.singleValue.labels.length === 0)
      values.set(data.singleValue.name, data.singleValue.value);
  }
  return values;
}

describe("the meters OAP's nodejs-runtime.yaml reads", () => {
  it('are reported under its names, with plausible values in percent and bytes', async () => {
    const values = singleValues(await meterCollection());
    for (const name of OAP_NODEJS_METERS) expect(values.has(name), name).toBe(true);

    const cpu = values.get('instance_nodejs_process_cpu')!;
    expect(cpu).toBeGreaterThan(0);
    expect(cpu).toBeLessThanOrEqual(100); // percent of the machine, not of one core
    const heapUsed = values.get('instance_nodejs_heap_used')!;
    const heapTotal = values.get('instance_nodejs_heap_total')!;
    const heapLimit = values.get('instance_nodejs_heap_limit')!;
    const rss = values.get('instance_nodejs_rss')!;
    // Bytes: a test process holds megabytes of heap (MB or KB would read as single digits or thousands).
    expect(heapUsed).toBeGreaterThan(4 * 1024 * 1024);
    expect(heapUsed).toBeLessThanOrEqual(heapTotal);
    expect(heapTotal).toBeLessThan(heapLimit);
    expect(heapTotal).toBeLessThanOrEqual(rss);
    expect(rss).toBeLessThan(16 * 1024 ** 3);
    expect(values.get('instance_nodejs_external_memory')).toBeGreaterThan(0);
    expect(values.get('instance_nodejs_uptime')).toBeLessThanOrEqual(process.uptime()); // seconds
  });
});

describe('oap/windsock.yaml', () => {
  let rules: RuleFile;
  let sent: MeterData[];

  beforeAll(async () => {
    rules = parseRuleFile(
      readFileSync(new URL('../../../oap/windsock.yaml', import.meta.url), 'utf8'),
    );
    sent = await meterCollection();
    await collector!.stop();
    collector = undefined;
    agent = undefined;
  });

  it("has the shape of OAP's meter-analyzer-config files, at instance level in the GENERAL layer", () => {
    expect(rules.expSuffix).toBe("instance(['service'], ['instance'], Layer.GENERAL)");
    // OAP stores `<metricPrefix>_<name>`: a prefix of windsock's own keeps clear of nodejs-runtime.yaml's names.
    expect(rules.metricPrefix).toBe('meter_windsock');
    const names = rules.metricsRules.map((rule) => rule.name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^[a-z][a-z0-9_]*$/);
  });

  it('references only meters windsock sends, aggregated by labels they carry', () => {
    const labelsOf = new Map<string, Set<string>>();
    for (const data of sent) {
      const meter = data.singleValue ?? data.histogram;
      if (meter === undefined) continue;
      const labels = labelsOf.get(meter.name) ?? new Set<string>();
      for (const label of meter.labels) labels.add(label.name);
      labelsOf.set(meter.name, labels);
    }
    for (const rule of rules.metricsRules) {
      const expression = parseExpression(rule.exp);
      expect(labelsOf.has(expression.meter), `${rule.name}: ${expression.meter} is sent`).toBe(
        true,
      );
      for (const label of expression.aggregatedBy ?? []) {
        // OAP's meter receiver adds `service` and `instance` to every sample; the rest must come from windsock.
        if (label === 'service' || label === 'instance') continue;
        expect(labelsOf.get(expression.meter), `${rule.name}: label ${label}`).toContain(label);
      }
      // Every label the meter carries is kept: aggregating one away would add series together.
      for (const label of labelsOf.get(expression.meter)!) {
        expect(expression.aggregatedBy ?? [], `${rule.name} keeps ${label}`).toContain(label);
      }
    }
  });

  it("covers every windsock_* meter, while OAP's own rules cover every instance_nodejs_* one", () => {
    const referenced = new Set(rules.metricsRules.map((rule) => parseExpression(rule.exp).meter));
    const names = new Set(sent.map((data) => (data.singleValue ?? data.histogram)!.name));
    const own = [...names].filter((name) => name.startsWith('windsock_'));
    expect(own.length).toBeGreaterThanOrEqual(14);
    for (const name of own) expect(referenced, name).toContain(name);
    const runtime = [...names].filter((name) => name.startsWith('instance_nodejs_'));
    expect(runtime.sort()).toEqual([...OAP_NODEJS_METERS].sort());
  });

  it('turns running totals into increases and keeps gauges as they are', () => {
    const totals = new Set([
      'windsock_agent_produced',
      'windsock_agent_delivered',
      'windsock_agent_dropped',
      'windsock_gc_count',
      'windsock_gc_pause_ms',
    ]);
    for (const rule of rules.metricsRules) {
      const expression = parseExpression(rule.exp);
      const increases = expression.calls.some((call) => call.name === 'increase');
      expect(increases, rule.name).toBe(totals.has(expression.meter));
    }
  });
});

describe('the rule file reader', () => {
  it('reads what OAP rule files hold and refuses what YAML would read otherwise', () => {
    const file = parseRuleFile(
      [
        '# comment',
        "expSuffix: instance(['service'], ['instance'], Layer.GENERAL)",
        'metricPrefix: meter',
        'metricsRules:',
        '  - name: a',
        "    exp: a_total.increase('PT1M')",
      ].join('\n'),
    );
    expect(file).toEqual({
      expSuffix: "instance(['service'], ['instance'], Layer.GENERAL)",
      metricPrefix: 'meter',
      metricsRules: [{ name: 'a', exp: "a_total.increase('PT1M')" }],
    });
    for (const bad of [
      "metricPrefix: 'meter'", // quoted: YAML would drop the quotes
      'metricPrefix: meter # trailing comment',
      'metricPrefx: meter', // a typo OAP would ignore
      'metricsRules:\n  - name: a', // no exp
      'metricsRules:\n  - name: a\n      exp: b', // wrong indentation
    ]) {
      expect(() => parseRuleFile(bad), bad).toThrow();
    }
  });

  it('reads MAL expressions and refuses unknown functions and malformed arguments', () => {
    expect(parseExpression("m.sum(['pipeline', 'service', 'instance']).increase('PT1M')")).toEqual({
      meter: 'm',
      calls: [
        { name: 'sum', args: "['pipeline', 'service', 'instance']" },
        { name: 'increase', args: "'PT1M'" },
      ],
      aggregatedBy: ['pipeline', 'service', 'instance'],
    });
    for (const bad of [
      "m.increase('1m')",
      'm.sum(pipeline)',
      'm.sumBy([])',
      "m.rate('PT')",
      'm + 1',
    ])
      expect(() => parseExpression(bad), bad).toThrow();
  });
});
