/**
 * Counts the spans in an OTLP `ExportTraceServiceRequest` without decoding them. The sink only needs the count, and
 * walking the protobuf wire format costs far less than materialising every span, so the receiver (which shares the
 * machine with the measured process) stays cheap.
 *
 * Field numbers, from opentelemetry-proto `collector/trace/v1/trace_service.proto` and `trace/v1/trace.proto`:
 *   ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
 *   ResourceSpans             { Resource resource = 1; repeated ScopeSpans scope_spans = 2; string schema_url = 3; }
 *   ScopeSpans                { InstrumentationScope scope = 1; repeated Span spans = 2; string schema_url = 3; }
 */

const RESOURCE_SPANS = 1;
const SCOPE_SPANS = 2;
const SPANS = 2;

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LENGTH_DELIMITED = 2;
const WIRE_FIXED32 = 5;

/** Counts the spans in an encoded `ExportTraceServiceRequest`; throws on malformed input. */
export function countSpans(request: Uint8Array): number {
  let spans = 0;
  forEachField(request, 0, request.length, RESOURCE_SPANS, (start, end) => {
    forEachField(request, start, end, SCOPE_SPANS, (scopeStart, scopeEnd) => {
      forEachField(request, scopeStart, scopeEnd, SPANS, () => {
        spans += 1;
      });
    });
  });
  return spans;
}

/** Calls `visit` with the bounds of every length-delimited field numbered `wanted` in `bytes[start, end)`. */
function forEachField(
  bytes: Uint8Array,
  start: number,
  end: number,
  wanted: number,
  visit: (start: number, end: number) => void,
): void {
  let offset = start;
  while (offset < end) {
    const [key, afterKey] = readVarint(bytes, offset, end);
    const field = Math.floor(key / 8);
    const wireType = key & 7;
    offset = afterKey;
    switch (wireType) {
      case WIRE_VARINT:
        offset = readVarint(bytes, offset, end)[1];
        break;
      case WIRE_FIXED64:
        offset += 8;
        break;
      case WIRE_FIXED32:
        offset += 4;
        break;
      case WIRE_LENGTH_DELIMITED: {
        const [length, afterLength] = readVarint(bytes, offset, end);
        const fieldEnd = afterLength + length;
        if (fieldEnd > end) throw new RangeError('truncated OTLP message');
        if (field === wanted) visit(afterLength, fieldEnd);
        offset = fieldEnd;
        break;
      }
      default:
        throw new RangeError(`unsupported protobuf wire type ${wireType}`);
    }
  }
  if (offset !== end) throw new RangeError('truncated OTLP message');
}

/** Reads a varint at `offset`; returns its value and the offset after it. Values up to 2^53 are exact. */
function readVarint(bytes: Uint8Array, offset: number, end: number): [number, number] {
  let value = 0;
  let scale = 1;
  for (let position = offset; position < end && position < offset + 10; position += 1) {
    const byte = bytes[position]!;
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) return [value, position + 1];
    scale *= 128;
  }
  throw new RangeError('truncated varint in OTLP message');
}
