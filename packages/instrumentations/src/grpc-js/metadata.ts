/** The part of grpc-js's `Metadata` read and written here. */
export interface MetadataLike {
  get(key: string): unknown[];
  set(key: string, value: string): void;
  clone(): MetadataLike;
}

/**
 * Where the tracer writes `sw8` for a client call. The exit span opens when grpc-js creates the call, but the
 * metadata is only final when the call starts (after the app's interceptors ran, possibly later): the headers wait
 * here until then.
 */
export class PendingHeaders {
  private readonly names: string[] = [];
  private readonly values: string[] = [];

  set(name: string, value: string): void {
    this.names.push(name);
    this.values.push(value);
  }

  /**
   * A copy of `metadata` with the headers added: the app's own object (which it may reuse for other calls or read
   * afterwards) never carries them.
   */
  applyTo(metadata: unknown): unknown {
    if (this.names.length === 0 || !isMetadata(metadata)) return metadata;
    const copy = metadata.clone();
    for (let i = 0; i < this.names.length; i++) copy.set(this.names[i]!, this.values[i]!);
    return copy;
  }
}

/** Reads propagation headers from a server call's metadata (string values; binary `-bin` keys are never ours). */
export function metadataSource(metadata: unknown): { get(name: string): string | null } {
  return {
    get(name) {
      const value = isMetadata(metadata) ? metadata.get(name)[0] : undefined;
      return typeof value === 'string' ? value : null;
    },
  };
}

function isMetadata(value: unknown): value is MetadataLike {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as MetadataLike).clone === 'function' &&
    typeof (value as MetadataLike).set === 'function' &&
    typeof (value as MetadataLike).get === 'function'
  );
}
