// The single-pass writer behind the hand-tuned encoders. Fields are written in order into one reused
// scratch buffer; a nested message reserves room for its length prefix and, once written, its bytes are
// moved if the prefix needed another size (a native copyWithin of a few hundred bytes, rarer than not).
// Strings go through Node's native UTF-8 writer unless they are short ASCII. The result is copied out
// into a slab of its kind (see FrameSlab), or into an exactly-sized array of its own when it is large.

const INITIAL_CAPACITY = 64 * 1024;
const TWO_POW_32 = 0x1_0000_0000;
const INT64_LIMIT = 2 ** 63;
/** Up to this many UTF-16 units a string takes at most 126 bytes, so its length prefix is one byte. */
const ONE_BYTE_PREFIX_CHARS = 42;
/** Below this length a JS loop beats a native call for ASCII text. */
const JS_ASCII_LIMIT = 256;

let buffer = Buffer.allocUnsafeSlow(INITIAL_CAPACITY);
let pos = 0;

/** Makes room for `bytes` more bytes. */
function ensure(bytes: number): void {
  if (pos + bytes <= buffer.length) return;
  let capacity = buffer.length * 2;
  while (capacity < pos + bytes) capacity *= 2;
  const grown = Buffer.allocUnsafeSlow(capacity);
  buffer.copy(grown, 0, 0, pos);
  buffer = grown;
}

export function startFrame(): void {
  pos = 0;
}

/** Size of one slab; frames above a quarter of it get an array of their own. */
export const SLAB_BYTES = 16 * 1024;
const LARGEST_SLAB_FRAME = SLAB_BYTES / 4;

/**
 * Where the frames of one kind (segments, logs, ...) are copied to when finished: consecutive ranges of shared
 * 16 KiB slabs, rather than one ArrayBuffer per frame. An ArrayBuffer costs about 1.3 µs to allocate here and is
 * tracked by the garbage collector as external memory; a range of a slab about 0.15 µs (measured with 300-byte
 * frames, README "Benchmarks"). A slab is freed when the last frame cut from it is. A queue consumes the frames of
 * its kind in the order they were made (delivered or dropped oldest first), so besides its frames' own bytes it
 * holds at most the partly consumed slab at its head and the one being filled: each kind has its own slabs, so
 * a log line waiting in a queue never keeps a slab of already delivered segments alive.
 */
export class FrameSlab {
  private bytes = new Uint8Array(0);
  private used = 0;

  /** Copies `length` bytes of `source` into the slab and returns them as a view of their own. */
  take(source: Buffer, length: number): Uint8Array {
    if (length > LARGEST_SLAB_FRAME) {
      const own = new Uint8Array(length);
      source.copy(own, 0, 0, length);
      return own;
    }
    if (this.used + length > this.bytes.length) {
      this.bytes = new Uint8Array(SLAB_BYTES);
      this.used = 0;
    }
    const start = this.used;
    source.copy(this.bytes, start, 0, length);
    this.used = start + length;
    return this.bytes.subarray(start, start + length);
  }
}

/**
 * Copies the finished frame out, into `slab` (or an exactly-sized array of its own when none is given), and lets
 * go of a scratch buffer that one huge message grew.
 */
export function finishFrame(slab?: FrameSlab): Uint8Array {
  let frame: Uint8Array;
  if (slab === undefined) {
    frame = new Uint8Array(pos);
    buffer.copy(frame, 0, 0, pos);
  } else {
    frame = slab.take(buffer, pos);
  }
  if (buffer.length > INITIAL_CAPACITY * 16) buffer = Buffer.allocUnsafeSlow(INITIAL_CAPACITY);
  return frame;
}

function writeVarint32(value: number): void {
  let rest = value >>> 0;
  while (rest > 0x7f) {
    buffer[pos++] = (rest & 0x7f) | 0x80;
    rest >>>= 7;
  }
  buffer[pos++] = rest;
}

function varint32Size(value: number): number {
  if (value < 0x80) return 1;
  if (value < 0x4000) return 2;
  if (value < 0x200000) return 3;
  if (value < 0x10000000) return 4;
  return 5;
}

/** Writes `tag` then an int32 varint; negative values are sign-extended to 64 bits (10 bytes). */
export function int32Field(tag: number, value: number): void {
  if ((value | 0) !== value) throw new RangeError(`invalid int32: ${value}`);
  ensure(11);
  buffer[pos++] = tag;
  if (value >= 0) {
    writeVarint32(value);
    return;
  }
  let low = value >>> 0;
  for (let i = 0; i < 4; i++) {
    buffer[pos++] = (low & 0x7f) | 0x80;
    low >>>= 7;
  }
  buffer[pos++] = (low & 0x0f) | 0xf0;
  for (let i = 0; i < 4; i++) buffer[pos++] = 0xff;
  buffer[pos++] = 0x01;
}

/** Writes `tag` then an int64 varint without BigInt for non-negative values. */
export function int64Field(tag: number, value: number): void {
  if (!Number.isInteger(value) || value >= INT64_LIMIT || value < -INT64_LIMIT) {
    throw new RangeError(`invalid int64: ${value}`);
  }
  ensure(11);
  buffer[pos++] = tag;
  if (value >= 0 && value < TWO_POW_32) {
    writeVarint32(value);
  } else if (value <= Number.MAX_SAFE_INTEGER) {
    // Split into 32-bit halves (exact below 2^53) and write with integer ops only.
    let low = value >>> 0;
    let high = Math.floor(value / TWO_POW_32) >>> 0;
    while (high !== 0) {
      buffer[pos++] = (low & 0x7f) | 0x80;
      low = ((low >>> 7) | (high << 25)) >>> 0;
      high >>>= 7;
    }
    while (low > 0x7f) {
      buffer[pos++] = (low & 0x7f) | 0x80;
      low >>>= 7;
    }
    buffer[pos++] = low;
  } else {
    let rest = BigInt.asUintN(64, BigInt(value));
    while (rest >= 0x80n) {
      buffer[pos++] = Number(rest & 0x7fn) | 0x80;
      rest >>= 7n;
    }
    buffer[pos++] = Number(rest);
  }
}

export function boolField(tag: number, value: boolean): void {
  ensure(2);
  buffer[pos++] = tag;
  buffer[pos++] = value ? 1 : 0;
}

/** Writes ASCII text in JS; returns false (leaving partial bytes to be overwritten) at a non-ASCII unit. */
function writeAscii(text: string, at: number): boolean {
  const target = buffer;
  const length = text.length;
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0x80) return false;
    target[at + i] = code;
  }
  return true;
}

/** Writes `tag`, the UTF-8 length and the UTF-8 bytes (lone surrogates become U+FFFD, as TextEncoder does). */
export function stringField(tag: number, text: string): void {
  ensure(text.length * 3 + 6);
  buffer[pos++] = tag;
  if (text.length < JS_ASCII_LIMIT) {
    // Most strings are ASCII, whose UTF-8 length is known up front.
    const start = pos + varint32Size(text.length);
    if (writeAscii(text, start)) {
      writeVarint32(text.length);
      pos = start + text.length;
      return;
    }
  }
  if (text.length <= ONE_BYTE_PREFIX_CHARS) {
    const start = pos + 1;
    const written = buffer.write(text, start);
    buffer[pos] = written;
    pos = start + written;
    return;
  }
  const length = Buffer.byteLength(text, 'utf8');
  writeVarint32(length);
  pos += buffer.write(text, pos);
}

/**
 * Starts a nested message field: writes its tag and reserves `expected` bytes for its length (1 for
 * messages that are usually under 128 bytes, 2 for spans). Returns the mark for `closeMessage`.
 */
export function openMessage(tag: number, expected: 1 | 2): number {
  ensure(1 + expected);
  buffer[pos++] = tag;
  const mark = pos;
  pos += expected;
  return mark;
}

export function closeMessage(mark: number, expected: 1 | 2): void {
  const bodyStart = mark + expected;
  const length = pos - bodyStart;
  const prefix = varint32Size(length);
  if (prefix !== expected) {
    ensure(prefix - expected);
    buffer.copyWithin(mark + prefix, bodyStart, pos);
    pos += prefix - expected;
  }
  const end = pos;
  pos = mark;
  writeVarint32(length);
  pos = end;
}
