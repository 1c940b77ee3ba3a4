import { type BinaryReader, type BinaryWriter } from '@bufbuild/protobuf/wire';

/**
 * The shape every generated message codec has (`SegmentObject`, `Commands`, ...). Lets generic code — a
 * gRPC serializer, a collector that stores any message — accept any of them.
 */
export interface MessageCodec<T> {
  encode(message: T, writer?: BinaryWriter): BinaryWriter;
  decode(input: BinaryReader | Uint8Array, length?: number): T;
  fromPartial(object: never): T;
}

/** Encodes any message to bytes with its generated codec. */
export function encodeMessage<T>(codec: MessageCodec<T>, message: T): Uint8Array {
  return codec.encode(message).finish();
}
