import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IgnoreRules } from './ignore-rules.js';

describe('IgnoreRules', () => {
  it('matches exact paths, one-segment and any-depth wildcards', () => {
    const rules = new IgnoreRules(['/health', '/static/**', '/api/*/ping', '/v?/status']);
    expect(rules.ignores('GET', '/health')).toBe(true);
    expect(rules.ignores('GET', '/health/deep')).toBe(false);
    expect(rules.ignores('GET', '/static/a/b/c.js')).toBe(true);
    expect(rules.ignores('GET', '/api/users/ping')).toBe(true);
    expect(rules.ignores('GET', '/api/users/x/ping')).toBe(false);
    expect(rules.ignores('GET', '/v1/status')).toBe(true);
    expect(rules.ignores('GET', '/v10/status')).toBe(false);
    expect(rules.ignores('GET', '/orders')).toBe(false);
  });

  it('treats regex metacharacters in patterns literally', () => {
    const rules = new IgnoreRules(['/a.b+(c)']);
    expect(rules.ignores('GET', '/a.b+(c)')).toBe(true);
    expect(rules.ignores('GET', '/axbb(c)')).toBe(false);
  });

  it('ignores methods case-insensitively', () => {
    const rules = new IgnoreRules([], ['options', ' HEAD ']);
    expect(rules.ignores('OPTIONS', '/x')).toBe(true);
    expect(rules.ignores('head', '/x')).toBe(true);
    expect(rules.ignores('GET', '/x')).toBe(false);
  });

  it('ignores nothing when empty', () => {
    expect(new IgnoreRules().ignores('GET', '/')).toBe(false);
    expect(new IgnoreRules(['', '  ']).ignores('GET', '')).toBe(false);
  });

  it('a wildcard-free pattern matches exactly itself (property)', () => {
    const literal = fc.string().filter((s) => !/[*?]/.test(s) && s.trim() === s && s.length > 0);
    fc.assert(
      fc.property(literal, fc.string(), (pattern, other) => {
        const rules = new IgnoreRules([pattern]);
        expect(rules.ignores('GET', pattern)).toBe(true);
        expect(rules.ignores('GET', other)).toBe(other === pattern);
      }),
    );
  });
});
