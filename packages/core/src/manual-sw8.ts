// `sw8` values written by manual exit spans (`startExitSpan(op, peer, { headers })`). The HTTP instrumentation leaves
// a request carrying one of them alone: the manual span owns that call. Any other `sw8` on an outgoing request was
// forwarded from an incoming one (a proxy or gateway copying `req.headers`): that call gets its own exit span, whose
// `sw8` replaces the forwarded one, so this service stays in the trace between its caller and the next service.
// Each value names one exit span (segment id and span id), so membership is exact; the set keeps the latest values
// only: a manual span's header is used by the call made right after it.
const MAX_REMEMBERED = 1024;
const manual = new Set<string>();

export function rememberManualSw8(value: string): void {
  if (manual.size >= MAX_REMEMBERED) {
    const oldest = manual.values().next();
    if (oldest.done !== true) manual.delete(oldest.value);
  }
  manual.add(value);
}

export function isManualSw8(value: unknown): boolean {
  return typeof value === 'string' && manual.has(value);
}
