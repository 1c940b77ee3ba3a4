import { describe, expect, it } from 'vitest';
import {
  isHostPort,
  parseAddresses,
  parseBoolean,
  parseBytes,
  parseDuration,
  parseEnum,
  parseList,
  parseNumber,
  parseString,
} from './parse.js';

const bad = { ok: false };
const ok = <T>(value: T) => ({ ok: true, value });

describe('value parsers', () => {
  it('parseString: trims, and refuses blanks and non-strings', () => {
    expect(parseString('  checkout ')).toEqual(ok('checkout'));
    expect(parseString('   ')).toEqual(bad);
    expect(parseString(5)).toEqual(bad);
  });

  it('parseBoolean: booleans and the usual words, in any case', () => {
    for (const text of ['true', '1', 'YES', ' on ']) expect(parseBoolean(text)).toEqual(ok(true));
    for (const text of ['false', '0', 'No', 'off']) expect(parseBoolean(text)).toEqual(ok(false));
    expect(parseBoolean(false)).toEqual(ok(false));
    expect(parseBoolean('maybe')).toEqual(bad);
    expect(parseBoolean(1)).toEqual(bad);
  });

  it('parseNumber: numbers and numeric strings within the range, integers when asked', () => {
    expect(parseNumber('0.25', 0, 1)).toEqual(ok(0.25));
    expect(parseNumber(1, 0, 1)).toEqual(ok(1));
    expect(parseNumber(1.5, 0, 1)).toEqual(bad);
    expect(parseNumber('', 0, 1)).toEqual(bad);
    expect(parseNumber('abc', 0, 1)).toEqual(bad);
    expect(parseNumber(Number.NaN, 0, 1)).toEqual(bad);
    expect(parseNumber('2.5', 0, 10, true)).toEqual(bad);
    expect(parseNumber('3', 0, 10, true)).toEqual(ok(3));
  });

  it('parseDuration: milliseconds, or a number with ms, s, m or h', () => {
    expect(parseDuration(500, 0, 10_000)).toEqual(ok(500));
    expect(parseDuration('500', 0, 10_000)).toEqual(ok(500));
    expect(parseDuration('250ms', 0, 10_000)).toEqual(ok(250));
    expect(parseDuration('1.5s', 0, 10_000)).toEqual(ok(1_500));
    expect(parseDuration(' 2 M ', 0, 3_600_000)).toEqual(ok(120_000));
    expect(parseDuration('1h', 0, 3_600_000)).toEqual(ok(3_600_000));
    expect(parseDuration('2h', 0, 3_600_000)).toEqual(bad);
    expect(parseDuration('-1s', 0, 10_000)).toEqual(bad);
    expect(parseDuration('5 days', 0, 10_000)).toEqual(bad);
    expect(parseDuration(true, 0, 10_000)).toEqual(bad);
  });

  it('parseBytes: whole bytes, or a count of kb, mb or gb', () => {
    expect(parseBytes(1024, 1, 2 ** 40)).toEqual(ok(1024));
    expect(parseBytes('512kb', 1, 2 ** 40)).toEqual(ok(512 * 1024));
    expect(parseBytes('16 MB', 1, 2 ** 40)).toEqual(ok(16 * 1024 ** 2));
    expect(parseBytes('1gb', 1, 2 ** 40)).toEqual(ok(1024 ** 3));
    expect(parseBytes('1gb', 1, 1024)).toEqual(bad);
    expect(parseBytes('1.5mb', 1, 2 ** 40)).toEqual(bad);
    expect(parseBytes(10.5, 1, 2 ** 40)).toEqual(bad);
    expect(parseBytes(null, 1, 2 ** 40)).toEqual(bad);
  });

  it('parseList: an array of strings or a comma list, trimmed, blanks dropped', () => {
    expect(parseList(' a, ,b ,')).toEqual(ok(['a', 'b']));
    expect(parseList(['x ', ''])).toEqual(ok(['x']));
    expect(parseList('')).toEqual(ok([]));
    expect(parseList(['a', 1])).toEqual(bad);
    expect(parseList(7)).toEqual(bad);
  });

  it('parseEnum: one of the allowed words, in any case', () => {
    const levels = ['debug', 'info'] as const;
    expect(parseEnum(' INFO ', levels)).toEqual(ok('info'));
    expect(parseEnum('trace', levels)).toEqual(bad);
    expect(parseEnum(1, levels)).toEqual(bad);
  });

  it('isHostPort: a host (IPv6 in brackets) and a port from 1 to 65535', () => {
    for (const address of ['oap:11800', 'oap_server:1', '10.0.0.1:65535', '[::1]:11800']) {
      expect(isHostPort(address), address).toBe(true);
    }
    for (const address of [
      'oap',
      'oap:0',
      'oap:65536',
      'http://oap:1',
      '::1:11800',
      'a b:1',
      'a\u0007b:1',
    ]) {
      expect(isHostPort(address), address).toBe(false);
    }
  });

  it('parseAddresses: at least one, every one host:port', () => {
    expect(parseAddresses('a:11800, b:11801')).toEqual(ok(['a:11800', 'b:11801']));
    expect(parseAddresses(['[::1]:11800'])).toEqual(ok(['[::1]:11800']));
    expect(parseAddresses(',')).toEqual(bad);
    expect(parseAddresses('a:11800,host:99999')).toEqual(bad);
    expect(parseAddresses(11800)).toEqual(bad);
  });
});
