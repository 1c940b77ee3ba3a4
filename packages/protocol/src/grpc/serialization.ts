// Serializers in the shape @grpc/grpc-js expects (`(value) => Buffer`, `(bytes: Buffer) => value`).
// Only types come from @grpc/grpc-js: this module must load without it (see README "gRPC").
import { type deserialize as Deserialize, type serialize as Serialize } from '@grpc/grpc-js';
import { type MessageCodec } from '../message-codec.js';

/** Views bytes as a Buffer without copying; grpc-js frames Buffers, the codecs produce Uint8Arrays. */
export function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes)
    ? bytes
    : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function messageSerializer<T>(codec: MessageCodec<T>): Serialize<T> {
  return (message) => toBuffer(codec.encode(message).finish());
}

export function messageDeserializer<T>(codec: MessageCodec<T>): Deserialize<T> {
  return (bytes) => codec.decode(bytes);
}

/** Writes a frame that was encoded once, at enqueue time, exactly as it is. */
export const passThroughSerializer: Serialize<Uint8Array> = toBuffer;

/** Hands the received bytes over undecoded, so a receiver can count them before (or instead of) decoding. */
export const rawDeserializer: Deserialize<Uint8Array> = (bytes) => bytes;
