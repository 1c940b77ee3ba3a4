// The traced-keep steps of bench:http-pair (run only when --steps names them) hold frames about as long as a full
// segment queue does: what a frame costs the garbage collector when it outlives the young generation, as views of
// the encoder's slabs or as bytes copied into memory that is never freed.

export const KEPT_FRAMES = 8192;
const KEPT_BYTES = 8 * 1024 * 1024;

/** What keeps each frame in a traced-keep step (a ring of the last KEPT_FRAMES); undefined for any other step. */
export function frameKeeper(step: string): ((frame: Uint8Array) => void) | undefined {
  let next = 0;
  if (step === 'traced-keep-frames') {
    const kept = new Array<Uint8Array | undefined>(KEPT_FRAMES);
    return (frame) => {
      kept[next] = frame;
      next = (next + 1) % KEPT_FRAMES;
    };
  }
  if (step === 'traced-keep-copies') {
    const store = new Uint8Array(KEPT_BYTES);
    const offsets = new Int32Array(KEPT_FRAMES);
    let cursor = 0;
    return (frame) => {
      if (cursor + frame.length > store.length) cursor = 0;
      store.set(frame, cursor);
      offsets[next] = cursor;
      cursor += frame.length;
      next = (next + 1) % KEPT_FRAMES;
    };
  }
  return undefined;
}
