// @windsock/protocol: the Apache SkyWalking v3 data-collect protocol for Node.js. This entry point never
// loads @grpc/grpc-js (it only borrows its types), so code that needs messages or the sw8 codec stays
// free of gRPC.
export * from './messages.js';
export { type MessageCodec, encodeMessage } from './message-codec.js';
export { encodeLogData, encodeSegmentObject, FrameEncoder } from './encoding/agent-encoders.js';
export { encodeSegmentCollection } from './encoding/segment-collection.js';
export { ComponentId } from './component-id.js';

export {
  SW8_HEADER,
  type Sw8Context,
  type Sw8Trace,
  decodeSw8,
  decodeSw8Trace,
  encodeSw8,
  encodeSw8Name,
  encodeSw8SegmentPart,
  encodeSw8SegmentPartWithTraceField,
  encodeSw8WithSegmentPart,
  decodeSw8TraceIdField,
  unsampledTraceIdField,
  joinSw8,
} from './headers/sw8.js';
export { DEFAULT_SW8_CALLERS, Sw8Decoder } from './headers/sw8-decoder.js';
export {
  type CorrelationEntries,
  SW8_CORRELATION_HEADER,
  SW8_CORRELATION_MAX_KEYS,
  SW8_CORRELATION_MAX_VALUE_LENGTH,
  decodeSw8Correlation,
  encodeSw8Correlation,
} from './headers/sw8-correlation.js';
export { SW8_X_HEADER, type Sw8XContext, decodeSw8X, encodeSw8X } from './headers/sw8-x.js';
export { MAX_HEADER_LENGTH } from './headers/limits.js';

export { SKYWALKING_PACKAGE } from './grpc/method.js';
export { passThroughSerializer, rawDeserializer, toBuffer } from './grpc/serialization.js';
export {
  ConfigurationDiscoveryServiceDefinition,
  type ConfigurationDiscoveryServiceServer,
  EventServiceDefinition,
  type EventServiceServer,
  LogReportServiceDefinition,
  type LogReportServiceServer,
  ManagementServiceDefinition,
  type ManagementServiceServer,
  MeterReportServiceDefinition,
  type MeterReportServiceServer,
  SpanAttachedEventReportServiceDefinition,
  type SpanAttachedEventReportServiceServer,
  TraceSegmentReportServiceDefinition,
  type TraceSegmentReportServiceServer,
} from './grpc/services.js';
export {
  EventServicePassThroughDefinition,
  type EventServicePassThroughServer,
  LogReportServicePassThroughDefinition,
  type LogReportServicePassThroughServer,
  MeterReportServicePassThroughDefinition,
  type MeterReportServicePassThroughServer,
  TraceSegmentReportServicePassThroughDefinition,
  type TraceSegmentReportServicePassThroughServer,
} from './grpc/pass-through-services.js';
