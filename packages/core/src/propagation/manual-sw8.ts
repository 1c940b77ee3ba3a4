// `sw8` values written by manual exit spans (`startExitSpan(op, peer, { headers })`). The HTTP instrumentation leaves
// a request carrying one of them alone: the manual span owns that call. Any other `sw8` on an outgoing request was
// forwarded from an incoming one (a proxy or gateway copying `req.headers`): that call gets its own exit span, whose
// `sw8` replaces the forwarded one, so this service stays in the trace between its caller and the next service.
//
// Each value names one exit span (segment id and span id), so a match is exact. A ring of the latest values, not a
// Set: remembering runs on every manual exit span and must cost nanoseconds (a Set hashes the whole ~200-character
// string); looking up runs only for the rare request that already carries an sw8. A manual span's header is used by
// the call made right after it, so the latest few hundred are enough.
const RING_SIZE = 256;
const ring: string[] = new Array<string>(RING_SIZE).fill('');
let next = 0;

export function rememberManualSw8(value: string): void {
  ring[next] = value;
  next = (next + 1) % RING_SIZE;
}

export function isManualSw8(value: unknown): boolean {
  if (typeof value !== 'string' || value === '') return false;
  for (let i = 0; i < RING_SIZE; i++) if (ring[i] === value) return true;
  return false;
}
