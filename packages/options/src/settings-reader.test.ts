import { describe, expect, it } from 'vitest';
import { OptionChecks } from './option-checks.js';
import { parseDuration, parseNumber } from './parse.js';
import { readSettings, type SettingSpec } from './settings-reader.js';

const SETTINGS: readonly SettingSpec<'sampleRate' | 'timeoutMs'>[] = [
  {
    key: 'sampleRate',
    env: 'SW_AGENT_SAMPLE',
    form: 'a number from 0 to 1',
    parse: (raw) => parseNumber(raw, 0, 1),
    fallback: () => 1,
  },
  {
    key: 'timeoutMs',
    env: 'SW_TIMEOUT',
    aliases: ['SW_OLD_TIMEOUT', 'SW_OLDER_TIMEOUT'],
    form: 'a duration',
    parse: (raw) => parseDuration(raw, 1, 60_000),
    fallback: () => 5_000,
  },
];

function read(options: Record<string, unknown>, env: NodeJS.ProcessEnv) {
  const check = new OptionChecks();
  const { values, sourceOf } = readSettings(SETTINGS, options, env, check);
  return { values, sourceOf, problems: check.problems };
}

describe('readSettings', () => {
  it('gives the fallbacks when nothing is set, and an empty variable counts as unset', () => {
    expect(read({}, { SW_TIMEOUT: '' })).toMatchObject({
      values: { sampleRate: 1, timeoutMs: 5_000 },
      problems: [],
    });
  });

  it('takes a value given in code over a variable, and a variable over the fallback', () => {
    const { values, sourceOf } = read(
      { sampleRate: 0.5 },
      { SW_AGENT_SAMPLE: '0.1', SW_TIMEOUT: '2s' },
    );
    expect(values).toEqual({ sampleRate: 0.5, timeoutMs: 2_000 });
    expect(sourceOf('sampleRate')).toBe('sampleRate');
    expect(sourceOf('timeoutMs')).toBe('SW_TIMEOUT (timeoutMs)');
  });

  it('reads the aliases in order when the own variable is unset', () => {
    const { values, sourceOf } = read({}, { SW_OLDER_TIMEOUT: '3s', SW_OLD_TIMEOUT: '4s' });
    expect(values.timeoutMs).toBe(4_000);
    expect(sourceOf('timeoutMs')).toBe('SW_OLD_TIMEOUT (timeoutMs)');
  });

  it('names each bad value by what set it, and keeps the fallback meanwhile', () => {
    const { values, problems } = read({ sampleRate: 2 }, { SW_OLD_TIMEOUT: 'soon' });
    expect(values).toEqual({ sampleRate: 1, timeoutMs: 5_000 });
    expect(problems).toEqual([
      { name: 'sampleRate', value: '2', expected: 'a number from 0 to 1' },
      { name: 'SW_OLD_TIMEOUT (timeoutMs)', value: '"soon"', expected: 'a duration' },
    ]);
  });

  it('parses null given in code as a value, not as unset', () => {
    expect(read({ sampleRate: null }, { SW_AGENT_SAMPLE: '0.1' }).problems).toEqual([
      { name: 'sampleRate', value: 'null', expected: 'a number from 0 to 1' },
    ]);
  });
});
