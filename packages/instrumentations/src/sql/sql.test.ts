import { describe, expect, it } from 'vitest';
import { maskLiterals } from './mask-literals.js';
import { recordedParameters } from './parameters.js';
import { loggableError, redactCredentials } from './redact.js';
import { recordedText } from './statement.js';

describe('redactCredentials', () => {
  it.each([
    ['postgres://app:s3cret@db:5432/shop', 'postgres://app:****@db:5432/shop'],
    [
      "SELECT dblink_connect('host=db password=s3cret dbname=x')",
      "SELECT dblink_connect('host=db password=**** dbname=x')",
    ],
    ["ALTER USER app WITH PASSWORD 's3cret'", "ALTER USER app WITH PASSWORD '****'"],
    ["CREATE USER 'a'@'%' IDENTIFIED BY 's3''cret'", "CREATE USER 'a'@'%' IDENTIFIED BY '****'"],
    ["SET PASSWORD = PASSWORD('s3cret')", "SET PASSWORD = PASSWORD('****')"],
    ["ALTER USER app PASSWORD 'cut sho", "ALTER USER app PASSWORD '****'"],
    ['Driver=x;Server=db;Uid=app;Pwd=s3cret;', 'Driver=x;Server=db;Uid=app;Pwd=****;'],
  ])('%s', (text, expected) => {
    expect(redactCredentials(text)).toBe(expected);
  });

  it('leaves placeholders, comparisons without a literal, and ordinary text alone', () => {
    for (const text of [
      'UPDATE users SET password = $1 WHERE id = $2',
      'UPDATE users SET password_hash=? WHERE id=?',
      'SELECT * FROM items WHERE id = 1',
      'https://example.com/path',
    ])
      expect(redactCredentials(text)).toBe(text);
  });

  it('gives a redacted copy of an error only when it holds a credential', () => {
    const plain = new Error('syntax error');
    expect(loggableError(plain)).toBe(plain);
    const leaky = new TypeError('bad url mysql://app:s3cret@db/x');
    const logged = loggableError(leaky) as Error;
    expect(logged).not.toBe(leaky);
    expect(logged.name).toBe('TypeError');
    expect(logged.message).toBe('bad url mysql://app:****@db/x');
    expect(logged.stack).not.toContain('s3cret');
    expect(leaky.message).toContain('s3cret');
  });
});

describe('recordedText', () => {
  it('cuts to the maximum, ending in ...', () => {
    expect(recordedText('SELECT 1 AS a_long_name', 12)).toBe('SELECT 1 ...');
    expect(recordedText('SELECT 1', 12)).toBe('SELECT 1');
    expect(recordedText('', 12)).toBeUndefined();
    expect(recordedText(42, 12)).toBeUndefined();
  });

  it('masks a password literal that the cut would split', () => {
    const text = `ALTER USER app WITH PASSWORD '${'x'.repeat(40)}'`;
    expect(recordedText(text, 35)).toBe("ALTER USER app WITH PASSWORD '****'");
    expect(recordedText(text, 34)).toBe("ALTER USER app WITH PASSWORD '*...");
  });
});

describe('recordedParameters', () => {
  it('formats values as a list, binary as a size, and stops at the maximum', () => {
    expect(
      recordedParameters(
        ['a"b', 1, null, undefined, true, 10n, Buffer.from('xyz'), new Date(0)],
        200,
      ),
    ).toBe('["a\\"b", 1, null, undefined, true, 10, <3 bytes>, 1970-01-01T00:00:00.000Z]');
    expect(recordedParameters({ id: 1 }, 100)).toBe('{"id":1}');
    expect(recordedParameters([], 100)).toBeUndefined();
    expect(
      recordedParameters(
        Array.from({ length: 100_000 }, (_, i) => i),
        20,
      ),
    ).toBe('[0, 1, 2, 3, 4, 5...');
  });

  it('survives values it cannot serialise', () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(recordedParameters([cycle], 100)).toBe('[<object>]');
  });
});

describe('maskLiterals', () => {
  it.each([
    ["SELECT 'alice' AS a, 7 AS b", 'SELECT ? AS a, ? AS b'],
    [
      "SELECT * FROM t1 WHERE `col2` = 'x\\'y' AND c = \"q\"",
      'SELECT * FROM t1 WHERE `col2` = ? AND c = ?',
    ],
    [
      "INSERT INTO t VALUES (X'0a0b', 0x1F, 1.5e-3, -2, _utf8mb4'é')",
      'INSERT INTO t VALUES (?, ?, ?, -?, ?)',
    ],
    ["SELECT 1 -- it's a comment\n, 'v'", "SELECT ? -- it's a comment\n, ?"],
    ["SELECT /* 'kept' */ name FROM t2 LIMIT 10", "SELECT /* 'kept' */ name FROM t2 LIMIT ?"],
    ['SELECT NULL, true, ? FROM 1abc', 'SELECT NULL, true, ? FROM 1abc'],
    ["SELECT 'unterminated", 'SELECT ?'],
  ])('%s', (sql, expected) => {
    expect(maskLiterals(sql)).toBe(expected);
  });
});
