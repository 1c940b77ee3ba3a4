import { redactCredentials } from './redact.js';

const ELLIPSIS = '...';
// Credentials are masked before the cut, over a little more than is kept, so a password literal that straddles the
// cut is still recognised as one (a cut `'secr` would no longer look like a literal).
const REDACT_MARGIN = 256;

/**
 * Text as recorded in a tag: credentials masked, then cut to `maxLength` characters ending in `...` when longer
 * (the Java agent's `SqlBodyUtil` convention). Undefined for anything but a non-empty string.
 */
export function recordedText(text: unknown, maxLength: number): string | undefined {
  if (typeof text !== 'string' || text === '' || maxLength <= 0) return undefined;
  const long = text.length > maxLength;
  const redacted = redactCredentials(long ? text.slice(0, maxLength + REDACT_MARGIN) : text);
  if (redacted.length <= maxLength) return redacted;
  if (maxLength <= ELLIPSIS.length) return redacted.slice(0, maxLength);
  return redacted.slice(0, maxLength - ELLIPSIS.length) + ELLIPSIS;
}
