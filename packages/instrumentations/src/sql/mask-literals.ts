/**
 * Replaces the literal values of a MySQL statement with `?`: quoted strings, hexadecimal and bit literals (`X'0a'`,
 * `0x0a`, `b'01'`) and numbers. Identifiers (`` `t1` ``, `col_2`), keywords and comments are kept. Used where only
 * the statement with its parameters already interpolated is available (mysql2 formats `query` values into the text
 * client side), so that no parameter is recorded unless parameters are to be recorded.
 */
export function maskLiterals(sql: string): string {
  let out = '';
  let copiedTo = 0;
  const n = sql.length;
  let i = 0;
  const replace = (from: number, to: number): void => {
    out += sql.slice(copiedTo, from) + '?';
    copiedTo = to;
  };
  while (i < n) {
    const c = sql.charCodeAt(i);
    // Comments: `-- ` and `#` to the end of the line, `/* */`.
    if ((c === DASH && sql.charCodeAt(i + 1) === DASH) || c === HASH) {
      const end = sql.indexOf('\n', i);
      i = end === -1 ? n : end + 1;
      continue;
    }
    if (c === SLASH && sql.charCodeAt(i + 1) === STAR) {
      const end = sql.indexOf('*/', i + 2);
      i = end === -1 ? n : end + 2;
      continue;
    }
    if (c === BACKTICK) {
      i = skipQuoted(sql, i, BACKTICK);
      continue;
    }
    if (c === QUOTE || c === DOUBLE_QUOTE) {
      // A prefixed literal (X'..', B'..', N'..', _utf8mb4'..') is masked with its prefix.
      let start = i;
      if (i > 0 && isPrefix(sql, i)) start = prefixStart(sql, i);
      i = skipQuoted(sql, i, c);
      replace(start, i);
      continue;
    }
    if (isDigit(c) || (c === DOT && isDigit(sql.charCodeAt(i + 1)))) {
      if (i > 0 && isIdentifierChar(sql.charCodeAt(i - 1))) {
        i = skipIdentifier(sql, i);
        continue;
      }
      const start = i;
      i = skipNumber(sql, i);
      // `1abc` is an identifier in MySQL, not a number followed by a word.
      if (i < n && isIdentifierChar(sql.charCodeAt(i))) {
        i = skipIdentifier(sql, i);
        continue;
      }
      replace(start, i);
      continue;
    }
    if (isIdentifierChar(c)) {
      i = skipIdentifier(sql, i);
      continue;
    }
    i++;
  }
  if (copiedTo === 0) return sql;
  return out + sql.slice(copiedTo);
}

const QUOTE = 0x27;
const DOUBLE_QUOTE = 0x22;
const BACKTICK = 0x60;
const BACKSLASH = 0x5c;
const DASH = 0x2d;
const HASH = 0x23;
const SLASH = 0x2f;
const STAR = 0x2a;
const DOT = 0x2e;

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isIdentifierChar(c: number): boolean {
  return (
    (c >= 0x61 && c <= 0x7a) || // a-z
    (c >= 0x41 && c <= 0x5a) || // A-Z
    isDigit(c) ||
    c === 0x5f || // _
    c === 0x24 || // $
    c > 0x7f
  );
}

/** Whether the word just before a quote is a literal's prefix: X, B, N, or a character set introducer `_name`. */
function isPrefix(sql: string, quote: number): boolean {
  const start = prefixStart(sql, quote);
  if (start === quote) return false;
  if (start > 0 && isIdentifierChar(sql.charCodeAt(start - 1))) return false;
  const word = sql.slice(start, quote);
  return /^(?:[xXbBnN]|_[A-Za-z0-9]+)$/.test(word);
}

function prefixStart(sql: string, quote: number): number {
  let start = quote;
  while (start > 0 && isIdentifierChar(sql.charCodeAt(start - 1))) start--;
  return start;
}

/** The index just after a quoted run starting at `i` (backslash escapes and doubled quotes inside). */
function skipQuoted(sql: string, i: number, quote: number): number {
  const n = sql.length;
  let j = i + 1;
  while (j < n) {
    const c = sql.charCodeAt(j);
    if (c === BACKSLASH && quote !== BACKTICK) {
      j += 2;
      continue;
    }
    if (c === quote) {
      if (sql.charCodeAt(j + 1) === quote) {
        j += 2;
        continue;
      }
      return j + 1;
    }
    j++;
  }
  return n;
}

function skipIdentifier(sql: string, i: number): number {
  let j = i;
  while (j < sql.length && isIdentifierChar(sql.charCodeAt(j))) j++;
  return j;
}

/** A decimal number (`12`, `1.5`, `.5`, `1e-3`) or a hexadecimal or bit number (`0x1f`, `0b01`). */
function skipNumber(sql: string, i: number): number {
  const n = sql.length;
  if (sql.charCodeAt(i) === 0x30) {
    const next = sql.charCodeAt(i + 1) | 0x20;
    if (next === 0x78 /* x */ || next === 0x62 /* b */) {
      let j = i + 2;
      while (j < n && isHexDigit(sql.charCodeAt(j))) j++;
      if (j > i + 2) return j;
    }
  }
  let j = i;
  while (j < n && isDigit(sql.charCodeAt(j))) j++;
  if (sql.charCodeAt(j) === DOT) {
    j++;
    while (j < n && isDigit(sql.charCodeAt(j))) j++;
  }
  const e = sql.charCodeAt(j) | 0x20;
  if (e === 0x65 /* e */) {
    let k = j + 1;
    const sign = sql.charCodeAt(k);
    if (sign === 0x2b || sign === DASH) k++;
    if (isDigit(sql.charCodeAt(k))) {
      while (k < n && isDigit(sql.charCodeAt(k))) k++;
      j = k;
    }
  }
  return j;
}

function isHexDigit(c: number): boolean {
  return isDigit(c) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66);
}
