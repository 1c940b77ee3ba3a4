// Frames copied into chunks the pipeline owns and reuses, so that a frame waiting in the queue is a number (its place
// here) rather than a view of the encoder's slab. A view kept that long outlives the young generation, and what it
// keeps alive is freed only by a full collection; a chunk here is reused as soon as every frame in it is released
// (BENCHMARKS.md, "What a kept frame costs").

/** Each frame is stored after its length, so a handle alone gives its bytes back. */
const LENGTH_BYTES = 4;

export const DEFAULT_CHUNK_BYTES = 64 * 1024;
/** Chunks kept for reuse once empty; beyond these, an empty chunk is let go, so memory follows what is queued. */
export const DEFAULT_SPARE_CHUNKS = 2;

export class FrameStore {
  private readonly chunks: (Uint8Array | undefined)[] = [];
  /** Frames stored and not yet released, per chunk. */
  private readonly live: number[] = [];
  /** Empty chunks kept for reuse. */
  private readonly spare: number[] = [];
  /** Places in `chunks` whose chunk was let go. */
  private readonly vacant: number[] = [];
  private current = -1;
  private cursor = 0;

  constructor(
    readonly chunkBytes = DEFAULT_CHUNK_BYTES,
    private readonly spareChunks = DEFAULT_SPARE_CHUNKS,
  ) {}

  /**
   * Copies `frame` in and returns its handle, or undefined for a frame larger than a quarter of a chunk: such a frame
   * is kept as it is, so one large frame never strands most of a chunk.
   */
  put(frame: Uint8Array): number | undefined {
    const size = LENGTH_BYTES + frame.byteLength;
    if (size > this.chunkBytes >> 2) return undefined;
    if (this.current < 0 || this.cursor + size > this.chunkBytes) this.startChunk();
    const index = this.current;
    const chunk = this.chunks[index]!;
    const at = this.cursor;
    writeLength(chunk, at, frame.byteLength);
    chunk.set(frame, at + LENGTH_BYTES);
    this.cursor = at + size;
    this.live[index]! += 1;
    return index * this.chunkBytes + at;
  }

  /** The stored frame's bytes: a view, valid only until the frame is released. */
  view(handle: number): Uint8Array {
    const index = Math.floor(handle / this.chunkBytes);
    const at = handle - index * this.chunkBytes + LENGTH_BYTES;
    const chunk = this.chunks[index]!;
    return chunk.subarray(at, at + readLength(chunk, at - LENGTH_BYTES));
  }

  /** The frame is gone for good; its chunk is reused once all its frames are. Release each handle once. */
  release(handle: number): void {
    const index = Math.floor(handle / this.chunkBytes);
    const left = this.live[index]! - 1;
    this.live[index] = left;
    if (left === 0 && index !== this.current) this.retire(index);
  }

  /** Chunk memory held, in use or spare. */
  heldBytes(): number {
    return (this.chunks.length - this.vacant.length) * this.chunkBytes;
  }

  private startChunk(): void {
    // A full chunk whose frames are all gone already is written over from its start.
    if (this.current >= 0 && this.live[this.current] === 0) {
      this.cursor = 0;
      return;
    }
    let index = this.spare.pop();
    if (index === undefined) {
      index = this.vacant.pop() ?? this.chunks.length;
      this.chunks[index] = new Uint8Array(this.chunkBytes);
      this.live[index] = 0;
    }
    this.current = index;
    this.cursor = 0;
  }

  private retire(index: number): void {
    if (this.spare.length < this.spareChunks) {
      this.spare.push(index);
    } else {
      this.chunks[index] = undefined;
      this.vacant.push(index);
    }
  }
}

function writeLength(chunk: Uint8Array, at: number, length: number): void {
  chunk[at] = length & 0xff;
  chunk[at + 1] = (length >>> 8) & 0xff;
  chunk[at + 2] = (length >>> 16) & 0xff;
  chunk[at + 3] = length >>> 24;
}

function readLength(chunk: Uint8Array, at: number): number {
  return (
    (chunk[at]! | (chunk[at + 1]! << 8) | (chunk[at + 2]! << 16) | (chunk[at + 3]! << 24)) >>> 0
  );
}
