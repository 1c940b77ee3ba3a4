import { randomBytes } from 'node:crypto';

// One random draw per process makes ids globally unique; a counter makes each one unique within the process.
// This keeps id generation to a string concatenation on the hot path, where a crypto call per id would cost more than
// the rest of the span.
// The prefix also carries the process start time so ids from a restarted process never collide with the old ones
// even if the random draw did.
const processPrefix = `${randomBytes(8).toString('hex')}.${Date.now().toString(36)}.`;
let sequence = 0;

/** A globally unique id for a trace or a segment, e.g. `3f9a0c1d2b4e5f60.lz1k2m3n.1a`. */
export function nextId(): string {
  sequence += 1;
  return processPrefix + sequence.toString(36);
}
