import { recordedText } from './statement.js';

/**
 * Query parameters as `db.sql.parameters` records them: `[1, "alice", null]` (strings JSON-quoted, binary values as
 * `<N bytes>`, objects of named placeholders as JSON), credentials masked, cut to `maxLength`. Building stops once
 * the text is longer than that, so a bulk insert's thousands of values cost no more than the kept prefix.
 */
export function recordedParameters(values: unknown, maxLength: number): string | undefined {
  if (values === undefined || values === null || maxLength <= 0) return undefined;
  let text: string;
  if (Array.isArray(values)) {
    if (values.length === 0) return undefined;
    text = '[';
    for (let i = 0; i < values.length; i++) {
      if (i > 0) text += ', ';
      text += formatValue(values[i]);
      if (text.length > maxLength) break;
    }
    text += ']';
  } else {
    text = formatValue(values);
  }
  return recordedText(text, maxLength);
}

function formatValue(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(value);
    case 'undefined':
      return 'undefined';
    case 'function':
    case 'symbol':
      return `<${typeof value}>`;
    default:
      break;
  }
  if (value === null) return 'null';
  if (value instanceof Date)
    return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  if (ArrayBuffer.isView(value)) return `<${value.byteLength} bytes>`;
  try {
    return JSON.stringify(value) ?? '<object>';
  } catch {
    // A cycle or a throwing toJSON: the type is all that can be said safely.
    return '<object>';
  }
}
