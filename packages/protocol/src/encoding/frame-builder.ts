// The single-pass writer behind the hand-tuned encoders. Fields are written in order into the writer's own
// scratch; a nested message reserves room for its length prefix and, once written, its bytes are moved if the
// prefix needed another size (rarer than not). Each encode call has its own writer, so an encoder can be re-entered
// (a getter on a message that encodes another one) without corrupting the frame it interrupted.
import { varintSize, writeVarint } from './varint.js';

/** Scratch a writer starts with; it grows for a larger frame, and a slab's writer shrinks back after one. */
const INITIAL_CAPACITY = 16 * 1024;
const MAX_KEPT_CAPACITY = 1024 * 1024;
const TWO_POW_32 = 0x1_0000_0000;
const INT64_LIMIT = 2 ** 63;
/** Up to this many UTF-16 units a string takes at most 126 bytes, so its length prefix is one byte. */
const ONE_BYTE_PREFIX_CHARS = 42;
/** Below this length a JS loop beats a native call for ASCII text. */
const JS_ASCII_LIMIT = 256;

/** Size of one slab; frames above a quarter of it get an array of their own. */
export const SLAB_BYTES = 16 * 1024;
const LARGEST_SLAB_FRAME = SLAB_BYTES / 4;

/**
 * Where the frames of one kind (segments, logs, ...) are copied to when finished: consecutive ranges of shared
 * 16 KiB slabs, rather than one ArrayBuffer per frame: an ArrayBuffer is costly to allocate and is tracked by the
 * garbage collector as external memory. A slab is freed when the last frame cut from it is. A queue consumes the frames of
 * its kind in the order they were made (delivered or dropped oldest first), so besides its frames' own bytes it
 * holds at most the partly consumed slab at its head and the one being filled: each kind has its own slabs, so
 * a log line waiting in a queue never keeps a slab of already delivered segments alive.
 */
export class FrameSlab {
  private bytes = new Uint8Array(0);
  private used = 0;
  /**
   * The scratch frames of this kind are written in, kept between frames so that a frame costs no allocation but its
   * slab range; undefined while a frame is being written, so that an encode re-entered meanwhile gets its own.
   */
  private idleWriter: FrameWriter | undefined = undefined;

  /** A writer for one frame, to be handed back through `finish`. */
  writer(): FrameWriter {
    const writer = this.idleWriter ?? new FrameWriter();
    this.idleWriter = undefined;
    return writer;
  }

  /** Copies the frame `writer` wrote into the slab and keeps the writer for the next frame. */
  finish(writer: FrameWriter): Uint8Array {
    const frame = writer.finish(this);
    writer.reset();
    this.idleWriter = writer;
    return frame;
  }

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

/** Writes one protobuf message, field by field, and copies it out when finished. */
export class FrameWriter {
  private buffer: Buffer;
  private pos = 0;

  constructor(capacity = INITIAL_CAPACITY) {
    this.buffer = Buffer.allocUnsafeSlow(capacity);
  }

  /** Empties the writer for the next frame, letting go of scratch one huge frame grew. */
  reset(): void {
    this.pos = 0;
    if (this.buffer.length > MAX_KEPT_CAPACITY)
      this.buffer = Buffer.allocUnsafeSlow(INITIAL_CAPACITY);
  }

  /** Makes room for `bytes` more bytes. */
  private ensure(bytes: number): void {
    if (this.pos + bytes <= this.buffer.length) return;
    let capacity = this.buffer.length * 2;
    while (capacity < this.pos + bytes) capacity *= 2;
    const grown = Buffer.allocUnsafeSlow(capacity);
    this.buffer.copy(grown, 0, 0, this.pos);
    this.buffer = grown;
  }

  /** Copies the finished frame out, into `slab` (or an exactly-sized array of its own when none is given). */
  finish(slab?: FrameSlab): Uint8Array {
    if (slab !== undefined) return slab.take(this.buffer, this.pos);
    const frame = new Uint8Array(this.pos);
    this.buffer.copy(frame, 0, 0, this.pos);
    return frame;
  }

  private varint32(value: number): void {
    this.pos = writeVarint(this.buffer, this.pos, value);
  }

  /** Writes `tag` then an int32 varint; negative values are sign-extended to 64 bits (10 bytes). */
  int32Field(tag: number, value: number): void {
    if ((value | 0) !== value) throw new RangeError(`invalid int32: ${value}`);
    this.ensure(11);
    const buffer = this.buffer;
    buffer[this.pos++] = tag;
    if (value >= 0) {
      this.varint32(value);
      return;
    }
    let pos = this.pos;
    let low = value >>> 0;
    for (let i = 0; i < 4; i++) {
      buffer[pos++] = (low & 0x7f) | 0x80;
      low >>>= 7;
    }
    buffer[pos++] = (low & 0x0f) | 0xf0;
    for (let i = 0; i < 4; i++) buffer[pos++] = 0xff;
    buffer[pos++] = 0x01;
    this.pos = pos;
  }

  /** Writes `tag` then an int64 varint without BigInt for non-negative values. */
  int64Field(tag: number, value: number): void {
    if (!Number.isInteger(value) || value >= INT64_LIMIT || value < -INT64_LIMIT) {
      throw new RangeError(`invalid int64: ${value}`);
    }
    this.ensure(11);
    const buffer = this.buffer;
    buffer[this.pos++] = tag;
    if (value >= 0 && value < TWO_POW_32) {
      this.varint32(value);
      return;
    }
    let pos = this.pos;
    if (value <= Number.MAX_SAFE_INTEGER) {
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
    this.pos = pos;
  }

  boolField(tag: number, value: boolean): void {
    this.ensure(2);
    this.buffer[this.pos++] = tag;
    this.buffer[this.pos++] = value ? 1 : 0;
  }

  /** Writes `tag`, the UTF-8 length and the UTF-8 bytes (lone surrogates become U+FFFD, as TextEncoder does). */
  stringField(tag: number, text: string): void {
    this.ensure(text.length * 3 + 6);
    const buffer = this.buffer;
    buffer[this.pos++] = tag;
    if (text.length < JS_ASCII_LIMIT) {
      // Most strings are ASCII, whose UTF-8 length is known up front.
      const start = this.pos + varintSize(text.length);
      if (writeAscii(buffer, text, start)) {
        this.varint32(text.length);
        this.pos = start + text.length;
        return;
      }
    }
    if (text.length <= ONE_BYTE_PREFIX_CHARS) {
      const start = this.pos + 1;
      const written = buffer.write(text, start);
      buffer[this.pos] = written;
      this.pos = start + written;
      return;
    }
    this.varint32(Buffer.byteLength(text, 'utf8'));
    this.pos += buffer.write(text, this.pos);
  }

  /**
   * Starts a nested message field: writes its tag and reserves `expected` bytes for its length (1 for
   * messages that are usually under 128 bytes, 2 for spans). Returns the mark for `closeMessage`.
   */
  openMessage(tag: number, expected: 1 | 2): number {
    this.ensure(1 + expected);
    this.buffer[this.pos++] = tag;
    const mark = this.pos;
    this.pos += expected;
    return mark;
  }

  closeMessage(mark: number, expected: 1 | 2): void {
    const bodyStart = mark + expected;
    const length = this.pos - bodyStart;
    const prefix = varintSize(length);
    if (prefix !== expected) {
      this.ensure(prefix - expected);
      this.buffer.copyWithin(mark + prefix, bodyStart, this.pos);
      this.pos += prefix - expected;
    }
    writeVarint(this.buffer, mark, length);
  }
}

/** Writes ASCII text in JS; returns false (leaving partial bytes to be overwritten) at a non-ASCII unit. */
function writeAscii(target: Buffer, text: string, at: number): boolean {
  const length = text.length;
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0x80) return false;
    target[at + i] = code;
  }
  return true;
}
