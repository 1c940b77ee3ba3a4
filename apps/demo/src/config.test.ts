import { describe, expect, it } from 'vitest';
import { DEFAULTS, DEMO_AGENT_DEFAULTS, resolveOptions, usage, UsageError } from './config.js';

describe('resolveOptions', () => {
  it('uses the documented defaults with nothing set', () => {
    const options = resolveOptions([], {});
    expect(options).toMatchObject(DEFAULTS);
    expect(options.externalCollector).toBeUndefined();
    expect(options.agentEnv).toEqual(DEMO_AGENT_DEFAULTS);
  });

  it('lets flags win over DEMO_* variables', () => {
    const options = resolveOptions(['--port', '4000', '--rate=50'], {
      DEMO_PORT: '5000',
      DEMO_RATE: '7',
      DEMO_COLLECTOR_PORT: '0',
    });
    expect(options.dashboardPort).toBe(4000);
    expect(options.rate).toBe(50);
    expect(options.collectorPort).toBe(0);
  });

  it('takes a leading -- (what `pnpm dev -- --port 4000` passes) as a separator, and only a leading one', () => {
    expect(resolveOptions(['--', '--port', '4000'], {}).dashboardPort).toBe(4000);
    expect(() => resolveOptions(['--port', '4000', '--'], {})).toThrow(UsageError);
  });

  it('reports to an external backend when SW_AGENT_COLLECTOR_BACKEND_SERVICES is set', () => {
    const options = resolveOptions([], { SW_AGENT_COLLECTOR_BACKEND_SERVICES: ' oap:11800 ' });
    expect(options.externalCollector).toBe('oap:11800');
  });

  it("hands the user's SW_* variables to the services over the demo's defaults", () => {
    const options = resolveOptions([], {
      SW_AGENT_LINGER: '50ms',
      SW_AGENT_SAMPLE: '0.5',
      HOME: '/root',
    });
    expect(options.agentEnv.SW_AGENT_LINGER).toBe('50ms');
    expect(options.agentEnv.SW_AGENT_SAMPLE).toBe('0.5');
    expect(options.agentEnv.SW_AGENT_BREAKER_PROBE_MAX_DELAY).toBe(
      DEMO_AGENT_DEFAULTS.SW_AGENT_BREAKER_PROBE_MAX_DELAY,
    );
    expect(options.agentEnv).not.toHaveProperty('HOME');
  });

  it('turns the watcher off with --no-watch or DEMO_WATCH=0', () => {
    expect(resolveOptions(['--no-watch'], {}).watch).toBe(false);
    expect(resolveOptions([], { DEMO_WATCH: '0' }).watch).toBe(false);
  });

  it('starts without the injected errors with --no-errors or DEMO_ERRORS=0', () => {
    expect(resolveOptions([], {}).injectErrors).toBe(true);
    expect(resolveOptions(['--no-errors'], {}).injectErrors).toBe(false);
    expect(resolveOptions([], { DEMO_ERRORS: '0' }).injectErrors).toBe(false);
  });

  it.each([
    [['--port', '70000'], /--port=70000: expected a port/],
    [['--rate', 'fast'], /--rate=fast: expected requests per second/],
    [['--tick', '5'], /--tick=5: expected milliseconds/],
    [['--port'], /--port needs a value/],
    [['--colour'], /unknown option --colour/],
  ])('rejects %j with one line saying why', (argv, message) => {
    expect(() => resolveOptions(argv, {})).toThrow(UsageError);
    expect(() => resolveOptions(argv, {})).toThrow(message);
  });

  it('names the variable when a DEMO_* value is bad', () => {
    expect(() => resolveOptions([], { DEMO_PORT: '-1' })).toThrow(/DEMO_PORT=-1/);
  });

  it('documents every flag in the usage text', () => {
    for (const flag of [
      '--port',
      '--collector-port',
      '--control-port',
      '--rate',
      '--no-watch',
      '--no-errors',
    ])
      expect(usage()).toContain(flag);
  });
});
