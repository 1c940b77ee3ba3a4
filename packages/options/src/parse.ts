// Value parsers shared by options and environment variables. An option may arrive typed (from `start()`) or as a
// string (from `SW_*` variables); each parser accepts both and answers with the value or `{ ok: false }`, so that a
// caller collects every problem and reports them together instead of one at a time.

export type Parsed<T> = { ok: true; value: T } | { ok: false };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const bad: Parsed<never> = { ok: false };

export function parseString(raw: unknown): Parsed<string> {
  return typeof raw === 'string' && raw.trim() !== '' ? ok(raw.trim()) : bad;
}

export function parseBoolean(raw: unknown): Parsed<boolean> {
  if (typeof raw === 'boolean') return ok(raw);
  if (typeof raw !== 'string') return bad;
  const text = raw.trim().toLowerCase();
  if (text === 'true' || text === '1' || text === 'yes' || text === 'on') return ok(true);
  if (text === 'false' || text === '0' || text === 'no' || text === 'off') return ok(false);
  return bad;
}

export function parseNumber(
  raw: unknown,
  min: number,
  max: number,
  integer = false,
): Parsed<number> {
  const value =
    typeof raw === 'number'
      ? raw
      : typeof raw === 'string' && raw.trim() !== ''
        ? Number(raw)
        : NaN;
  if (!Number.isFinite(value) || value < min || value > max) return bad;
  if (integer && !Number.isInteger(value)) return bad;
  return ok(value);
}

const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/;
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

/** A duration in milliseconds: a number, or a string like `500`, `500ms`, `20s`, `1m`, `1h`. */
export function parseDuration(raw: unknown, minMs: number, maxMs: number): Parsed<number> {
  if (typeof raw === 'number') return parseNumber(raw, minMs, maxMs);
  if (typeof raw !== 'string') return bad;
  const match = DURATION.exec(raw.trim().toLowerCase());
  if (match === null) return bad;
  const ms = Number(match[1]) * UNIT_MS[(match[2] ?? 'ms') as keyof typeof UNIT_MS];
  return parseNumber(ms, minMs, maxMs);
}

/** A byte count: a number, or a string like `1048576`, `512kb`, `16mb`. */
export function parseBytes(raw: unknown, min: number, max: number): Parsed<number> {
  if (typeof raw === 'number') return parseNumber(raw, min, max, true);
  if (typeof raw !== 'string') return bad;
  const match = /^(\d+)\s*(b|kb|mb|gb)?$/.exec(raw.trim().toLowerCase());
  if (match === null) return bad;
  const factor = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 }[match[2] ?? 'b'] ?? 1;
  return parseNumber(Number(match[1]) * factor, min, max, true);
}

/** A list: an array of strings, or a comma-separated string; blanks are dropped. */
export function parseList(raw: unknown): Parsed<string[]> {
  const parts: unknown[] | undefined = Array.isArray(raw)
    ? raw
    : typeof raw === 'string'
      ? raw.split(',')
      : undefined;
  if (parts === undefined || !parts.every((p): p is string => typeof p === 'string')) return bad;
  return ok(parts.map((p) => p.trim()).filter((p) => p !== ''));
}

export function parseEnum<T extends string>(raw: unknown, allowed: readonly T[]): Parsed<T> {
  if (typeof raw !== 'string') return bad;
  const text = raw.trim().toLowerCase();
  return (allowed as readonly string[]).includes(text) ? ok(text as T) : bad;
}

/** Whether `address` is `host:port` with a port from 1 to 65535; an IPv6 host is written in brackets. */
export function isHostPort(address: string): boolean {
  const match = /^(\[[0-9a-fA-F:.]+\]|[^\s\p{Cc}:[\]/]+):(\d{1,5})$/u.exec(address);
  if (match === null) return false;
  const port = Number(match[2]);
  return port >= 1 && port <= 65_535;
}

/** Backend addresses `host:port` (IPv6 in brackets), from a comma list or an array; at least one. */
export function parseAddresses(raw: unknown): Parsed<string[]> {
  const list = parseList(raw);
  if (!list.ok || list.value.length === 0) return bad;
  return list.value.every(isHostPort) ? list : bad;
}
