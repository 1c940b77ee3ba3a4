import { describe, expect, it } from 'vitest';
import { parseOptions } from './options.js';

describe('parseOptions', () => {
  it('uses the quick profile with every agent and state by default', () => {
    const options = parseOptions([], {}, '/out');
    expect(options.profile).toBe('quick');
    expect(options.agents).toEqual(['none', 'windsock', 'skywalking', 'opentelemetry']);
    expect(options.states).toEqual(['up', 'refused', 'blackhole']);
    expect(options.runs).toBeGreaterThanOrEqual(3);
    expect(options.outDir).toBe('/out');
    expect(options.pin).toBe(false);
    expect(parseOptions(['--pin=on'], {}, '/out').pin).toBe(true);
  });

  it('takes the full profile, then environment values, then flags over both', () => {
    const options = parseOptions(
      ['--', '--runs=7', '--agents=none,opentelemetry'],
      { BENCH_PROFILE: 'full', BENCH_RUNS: '4', BENCH_RECOVERY_OUTAGE_MS: '1234' },
      '/out',
    );
    expect(options.profile).toBe('full');
    expect(options.runs).toBe(7);
    expect(options.agents).toEqual(['none', 'opentelemetry']);
    expect(options.recovery.outageMs).toBe(1234);
    expect(options.recovery.afterMs).toBe(30_000);
  });

  it('rejects unknown flags, agents, states and bad numbers', () => {
    expect(() => parseOptions(['--fast'], {}, '/out')).toThrow(/unknown argument/);
    expect(() => parseOptions(['--agents=none,datadog'], {}, '/out')).toThrow(/datadog/);
    expect(() => parseOptions(['--states=down'], {}, '/out')).toThrow(/down/);
    expect(() => parseOptions(['--runs=0'], {}, '/out')).toThrow(/--runs/);
    expect(() => parseOptions([], { BENCH_DURATION_MS: 'soon' }, '/out')).toThrow(/--duration-ms/);
    expect(() => parseOptions(['--recovery=maybe'], {}, '/out')).toThrow(/on or off/);
    expect(() => parseOptions(['--pin=yes'], {}, '/out')).toThrow(/--pin must be on or off/);
  });
});
