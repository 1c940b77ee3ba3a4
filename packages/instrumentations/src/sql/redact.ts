/**
 * Credentials that can sit in text the agent records (a statement, a parameter, an error message): a connection
 * string's password (`postgres://user:secret@host`), a conninfo or ODBC `password=secret` pair (dblink,
 * `CREATE SUBSCRIPTION ... CONNECTION '...'`), and a password literal in SQL (`WITH PASSWORD 'secret'`,
 * `IDENTIFIED BY 'secret'`). Each is replaced by `****`; everything else is left as it was.
 */
export const REDACTED = '****';

// A cheap first look, so text without any of these words costs one scan and no copy.
const MAY_HOLD_CREDENTIALS = /:\/\/|pass|pwd|identified/i;

// scheme://user:password@ — the password ends at the first `@` (RFC 3986 forbids a raw `@` in it).
const URL_PASSWORD = /(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/?#@'"]*):[^\s@/'"]*@/gi;

// `PASSWORD 'x'`, `PASSWORD = 'x'`, `PASSWORD('x')`, `IDENTIFIED BY 'x'`, `IDENTIFIED BY PASSWORD 'x'`; an
// unterminated literal (a statement cut short) is masked to its end.
const SQL_PASSWORD_LITERAL =
  /\b(password|identified\s+by(?:\s+password)?)(\s*=?\s*\(?\s*)(?:'(?:[^'\\]|''|\\.)*(?:'|$)|"(?:[^"\\]|""|\\.)*(?:"|$))/gi;

// `password=secret` in a conninfo or ODBC string (written without spaces, unlike an SQL comparison): the value ends
// at white space, a quote, `;` or `&`. Placeholders (`$1`, `?`, `:name`) are not values.
const KEY_VALUE_PASSWORD = /\b(password|passwd|pwd)(=)(?!['"$?:])[^\s'";&]+/gi;

/** `text` with credentials replaced by `****`. */
export function redactCredentials(text: string): string {
  if (!MAY_HOLD_CREDENTIALS.test(text)) return text;
  return text
    .replace(URL_PASSWORD, `$1:${REDACTED}@`)
    .replace(SQL_PASSWORD_LITERAL, `$1$2'${REDACTED}'`)
    .replace(KEY_VALUE_PASSWORD, `$1$2${REDACTED}`);
}

/**
 * The error to log on a span: the error itself, or, when its message or stack holds a credential, a copy with the
 * same name whose message and stack are redacted (the application keeps the original).
 */
export function loggableError(error: unknown): unknown {
  if (!(error instanceof Error)) {
    return typeof error === 'string' ? redactCredentials(error) : error;
  }
  const message = String(error.message);
  const stack = typeof error.stack === 'string' ? error.stack : '';
  const safeMessage = redactCredentials(message);
  const safeStack = redactCredentials(stack);
  if (safeMessage === message && safeStack === stack) return error;
  const copy = new Error(safeMessage);
  copy.name = error.name;
  copy.stack = safeStack;
  return copy;
}
