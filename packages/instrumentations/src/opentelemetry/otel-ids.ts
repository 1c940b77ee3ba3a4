/**
 * OpenTelemetry identifiers for windsock spans. OpenTelemetry code expects a 32-hex trace id and a 16-hex span id
 * (for log correlation, for `isSpanContextValid`); windsock's ids are SkyWalking strings. The hex ids are derived
 * from them by hashing, so every span of one trace shows one OpenTelemetry trace id, and computed only when asked.
 */

/** 32 hex characters derived from a SkyWalking trace id. */
export function otelTraceId(traceId: string): string {
  return (
    fnv1a(traceId, 0x811c9dc5) +
    fnv1a(traceId, 0x050c5d1f) +
    fnv1a(traceId, 0x2b8e6d33) +
    fnv1a(traceId, 0x6c62272e)
  );
}

/** 16 hex characters derived from a segment id and a span id within it. */
export function otelSpanId(segmentId: string, spanId: number): string {
  return fnv1a(segmentId, 0x811c9dc5) + ((spanId + 1) >>> 0).toString(16).padStart(8, '0');
}

/** 32-bit FNV-1a of a string with the given offset basis, as 8 hex characters. */
function fnv1a(text: string, basis: number): string {
  let hash = basis;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, '0');
}
