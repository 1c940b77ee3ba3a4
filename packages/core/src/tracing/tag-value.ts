/** Turns any tag or log value into a string no longer than `maxLength`; never throws. */
export function stringifyValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return String(value);
  }
  if (typeof value === 'symbol') return value.toString();
  if (typeof value === 'function') return `[function ${value.name}]`;
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  try {
    const json = JSON.stringify(value);
    return typeof json === 'string' ? json : '[unserializable]';
  } catch {
    // Circular structures, throwing getters or toJSON: a fixed marker is better than losing the tag.
    return '[unserializable]';
  }
}

/** Cuts `text` to `maxLength` UTF-16 units, never leaving half a surrogate pair at the end. */
export function truncate(text: string, maxLength: number): string {
  let end = maxLength;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return text.slice(0, end);
}
