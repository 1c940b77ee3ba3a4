// Pass-through variants of the report methods: same paths and wire format as ./services.ts, but the
// request side is bytes. A client writes frames that were encoded once at enqueue time without
// re-encoding them; a server receives each request message undecoded (its exact size is known, and it
// can be decoded later with the matching codec, e.g. `SegmentObject.decode(bytes)`).
import {
  type handleClientStreamingCall,
  type handleUnaryCall,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { type Commands } from '../generated/common/Command.js';
import { passThroughMethod } from './method.js';

export const TraceSegmentReportServicePassThroughDefinition = {
  /** Each stream message is one encoded `SegmentObject` (see `encodeSegmentObject`). */
  collect: passThroughMethod('TraceSegmentReportService', 'collect', 'clientStreaming'),
  /** The request is one encoded `SegmentCollection` (see `encodeSegmentCollection`). */
  collectInSync: passThroughMethod('TraceSegmentReportService', 'collectInSync', 'unary'),
} as const;

export const LogReportServicePassThroughDefinition = {
  /** Each stream message is one encoded `LogData` (see `encodeLogData`). */
  collect: passThroughMethod('LogReportService', 'collect', 'clientStreaming'),
} as const;

export const MeterReportServicePassThroughDefinition = {
  /** Each stream message is one encoded `MeterData`. */
  collect: passThroughMethod('MeterReportService', 'collect', 'clientStreaming'),
  /** Each stream message is one encoded `MeterDataCollection`. */
  collectBatch: passThroughMethod('MeterReportService', 'collectBatch', 'clientStreaming'),
} as const;

export const EventServicePassThroughDefinition = {
  /** Each stream message is one encoded `Event`. */
  collect: passThroughMethod('EventService', 'collect', 'clientStreaming'),
} as const;

export interface TraceSegmentReportServicePassThroughServer extends UntypedServiceImplementation {
  collect: handleClientStreamingCall<Uint8Array, Commands>;
  collectInSync: handleUnaryCall<Uint8Array, Commands>;
}

export interface LogReportServicePassThroughServer extends UntypedServiceImplementation {
  collect: handleClientStreamingCall<Uint8Array, Commands>;
}

export interface MeterReportServicePassThroughServer extends UntypedServiceImplementation {
  collect: handleClientStreamingCall<Uint8Array, Commands>;
  collectBatch: handleClientStreamingCall<Uint8Array, Commands>;
}

export interface EventServicePassThroughServer extends UntypedServiceImplementation {
  collect: handleClientStreamingCall<Uint8Array, Commands>;
}
