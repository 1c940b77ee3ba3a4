import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { logData } from '../../test/arbitraries.js';
import { LogData } from '../messages.js';
import { encodeLogDataFast } from './log-encoder.js';

const generated = (log: LogData) => LogData.encode(log).finish();

describe('encodeLogDataFast', () => {
  it('is byte-for-byte the generated encoding for random log records', () => {
    fc.assert(
      fc.property(logData, (log) => {
        expect(encodeLogDataFast(log)).toEqual(generated(log));
      }),
      { numRuns: 1000 },
    );
  });

  it('matches for long and non-ASCII bodies, and when several oneof members are set', () => {
    const body = fc.string({ unit: 'binary', maxLength: 3000 });
    fc.assert(
      fc.property(logData, body, (log, text) => {
        const record = { ...log, body: { type: 'json', text: { text }, json: { json: text } } };
        expect(encodeLogDataFast(record)).toEqual(generated(record));
      }),
      { numRuns: 300 },
    );
  });

  it('throws where the generated encoder throws', () => {
    const record = LogData.fromPartial({ timestamp: 1.5 });
    expect(() => generated(record)).toThrow();
    expect(() => encodeLogDataFast(record)).toThrow(RangeError);
  });
});
