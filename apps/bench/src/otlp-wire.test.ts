import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countSpans } from './otlp-wire.js';

// A tiny protobuf writer for the test: enough to build ExportTraceServiceRequests field by field.
const varint = (value: number): number[] => {
  const bytes: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    bytes.push((rest % 0x80) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  bytes.push(rest);
  return bytes;
};
const lengthDelimited = (field: number, body: number[]) => [
  ...varint(field * 8 + 2),
  ...varint(body.length),
  ...body,
];
const varintField = (field: number, value: number) => [...varint(field * 8), ...varint(value)];
const fixed64Field = (field: number) => [...varint(field * 8 + 1), 1, 2, 3, 4, 5, 6, 7, 8];

/** A span with a name, a kind and a start time: fields of every wire type the walker has to skip. */
const span = (name: string) => [
  ...lengthDelimited(5, [...Buffer.from(name)]),
  ...varintField(6, 2),
  ...fixed64Field(7),
];
const scopeSpans = (spans: number) => [
  ...lengthDelimited(
    1,
    lengthDelimited(1, [...Buffer.from('@opentelemetry/instrumentation-http')]),
  ),
  ...Array.from({ length: spans }, (_, index) => lengthDelimited(2, span(`GET /${index}`))).flat(),
  ...lengthDelimited(3, [...Buffer.from('https://opentelemetry.io/schemas/1.27.0')]),
];
const resourceSpans = (scopes: number[]) => [
  ...lengthDelimited(1, lengthDelimited(1, [...Buffer.from('service.name')])),
  ...scopes.flatMap((spans) => lengthDelimited(2, scopeSpans(spans))),
];
const request = (resources: number[][]) =>
  Uint8Array.from(resources.flatMap((scopes) => lengthDelimited(1, resourceSpans(scopes))));

describe('countSpans', () => {
  it('counts an empty request as no spans', () => {
    expect(countSpans(new Uint8Array())).toBe(0);
  });

  it('counts the spans of every scope of every resource', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.nat({ max: 200 }), { maxLength: 4 }), { maxLength: 4 }),
        (resources) => {
          const expected = resources.flat().reduce((sum, spans) => sum + spans, 0);
          expect(countSpans(request(resources))).toBe(expected);
        },
      ),
    );
  });

  it('rejects a request cut inside a field, and counts one cut between resources as the whole ones', () => {
    const resources = [[3, 1], [2], [4]];
    const parts = resources.map((scopes) => request([scopes]));
    const whole = request(resources);
    const boundaries = new Map<number, number>([[0, 0]]);
    let offset = 0;
    let spans = 0;
    parts.forEach((part, index) => {
      offset += part.length;
      spans += resources[index]!.reduce((sum, count) => sum + count, 0);
      boundaries.set(offset, spans);
    });
    for (let length = 0; length <= whole.length; length += 1) {
      const cut = whole.subarray(0, length);
      const expected = boundaries.get(length);
      if (expected === undefined) expect(() => countSpans(cut), `at ${length}`).toThrow(RangeError);
      else expect(countSpans(cut)).toBe(expected);
    }
  });

  it('rejects unsupported wire types (groups)', () => {
    expect(() => countSpans(Uint8Array.from([0x0b]))).toThrow(/wire type 3/);
  });
});
