// gRPC service definitions for @grpc/grpc-js, one per SkyWalking v3 service, as plain objects: usable
// with `server.addService(definition, handlers)` and `makeClientConstructor(definition, name)` or
// `client.makeClientStreamRequest(definition.collect.path, ...)`. Only types come from @grpc/grpc-js.
import {
  type handleClientStreamingCall,
  type handleUnaryCall,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { type Commands } from '../generated/common/Command.js';
import { ConfigurationSyncRequest } from '../generated/language-agent/ConfigurationDiscoveryService.js';
import { MeterData, MeterDataCollection } from '../generated/language-agent/Meter.js';
import {
  SegmentCollection,
  SegmentObject,
  SpanAttachedEvent,
} from '../generated/language-agent/Tracing.js';
import { LogData } from '../generated/logging/Logging.js';
import { InstancePingPkg, InstanceProperties } from '../generated/management/Management.js';
import { Event } from '../generated/event/Event.js';
import { messageMethod } from './method.js';

export const TraceSegmentReportServiceDefinition = {
  collect: messageMethod('TraceSegmentReportService', 'collect', 'clientStreaming', SegmentObject),
  collectInSync: messageMethod(
    'TraceSegmentReportService',
    'collectInSync',
    'unary',
    SegmentCollection,
  ),
} as const;

export const LogReportServiceDefinition = {
  collect: messageMethod('LogReportService', 'collect', 'clientStreaming', LogData),
} as const;

export const ManagementServiceDefinition = {
  reportInstanceProperties: messageMethod(
    'ManagementService',
    'reportInstanceProperties',
    'unary',
    InstanceProperties,
  ),
  keepAlive: messageMethod('ManagementService', 'keepAlive', 'unary', InstancePingPkg),
} as const;

export const MeterReportServiceDefinition = {
  collect: messageMethod('MeterReportService', 'collect', 'clientStreaming', MeterData),
  collectBatch: messageMethod(
    'MeterReportService',
    'collectBatch',
    'clientStreaming',
    MeterDataCollection,
  ),
} as const;

export const EventServiceDefinition = {
  collect: messageMethod('EventService', 'collect', 'clientStreaming', Event),
} as const;

export const ConfigurationDiscoveryServiceDefinition = {
  fetchConfigurations: messageMethod(
    'ConfigurationDiscoveryService',
    'fetchConfigurations',
    'unary',
    ConfigurationSyncRequest,
  ),
} as const;

/** eBPF / Rover only; defined in Tracing.proto and listed for completeness. */
export const SpanAttachedEventReportServiceDefinition = {
  collect: messageMethod(
    'SpanAttachedEventReportService',
    'collect',
    'clientStreaming',
    SpanAttachedEvent,
  ),
} as const;

// Handler shapes for `server.addService(definition, handlers)`.

export interface TraceSegmentReportServiceServer extends UntypedServiceImplementation {
  collect: handleClientStreamingCall<SegmentObject, Commands>;
  collectInSync: handleUnaryCall<SegmentCollection, Commands>;
}

export interface LogReportServiceServer extends UntypedServiceImplementation {
  collect: handleClientStreamingCall<LogData, Commands>;
}

export interface ManagementServiceServer extends UntypedServiceImplementation {
  reportInstanceProperties: handleUnaryCall<InstanceProperties, Commands>;
  keepAlive: handleUnaryCall<InstancePingPkg, Commands>;
}

export interface MeterReportServiceServer extends UntypedServiceImplementation {
  collect: handleClientStreamingCall<MeterData, Commands>;
  collectBatch: handleClientStreamingCall<MeterDataCollection, Commands>;
}

export interface EventServiceServer extends UntypedServiceImplementation {
  collect: handleClientStreamingCall<Event, Commands>;
}

export interface ConfigurationDiscoveryServiceServer extends UntypedServiceImplementation {
  fetchConfigurations: handleUnaryCall<ConfigurationSyncRequest, Commands>;
}

export interface SpanAttachedEventReportServiceServer extends UntypedServiceImplementation {
  collect: handleClientStreamingCall<SpanAttachedEvent, Commands>;
}
