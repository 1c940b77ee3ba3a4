import { type MethodDefinition } from '@grpc/grpc-js';
import { Commands } from '../generated/common/Command.js';
import { type MessageCodec } from '../message-codec.js';
import {
  messageDeserializer,
  messageSerializer,
  passThroughSerializer,
  rawDeserializer,
} from './serialization.js';

/** Every SkyWalking v3 service lives in this protobuf package; gRPC paths are `/<package>.<Service>/<rpc>`. */
export const SKYWALKING_PACKAGE = 'skywalking.v3';

export type RequestKind = 'unary' | 'clientStreaming';

const serializeCommands = messageSerializer(Commands);
const deserializeCommands = messageDeserializer(Commands);

function methodPath(service: string, rpc: string): string {
  return `/${SKYWALKING_PACKAGE}.${service}/${rpc}`;
}

/** A method whose request is a decoded message. Every SkyWalking report answers with `Commands`. */
export function messageMethod<Request>(
  service: string,
  rpc: string,
  kind: RequestKind,
  request: MessageCodec<Request>,
): MethodDefinition<Request, Commands> {
  return {
    path: methodPath(service, rpc),
    requestStream: kind === 'clientStreaming',
    responseStream: false,
    requestSerialize: messageSerializer(request),
    requestDeserialize: messageDeserializer(request),
    responseSerialize: serializeCommands,
    responseDeserialize: deserializeCommands,
  };
}

/**
 * The same method on the wire, but the request is already-encoded bytes: the client writes them
 * unchanged and the server receives them undecoded.
 */
export function passThroughMethod(
  service: string,
  rpc: string,
  kind: RequestKind,
): MethodDefinition<Uint8Array, Commands> {
  return {
    path: methodPath(service, rpc),
    requestStream: kind === 'clientStreaming',
    responseStream: false,
    requestSerialize: passThroughSerializer,
    requestDeserialize: rawDeserializer,
    responseSerialize: serializeCommands,
    responseDeserialize: deserializeCommands,
  };
}
