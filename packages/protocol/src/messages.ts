// The generated SkyWalking v3 messages, re-exported by name so the package root is the only import path
// users need. Each name is both the TypeScript interface and the codec object (`encode`, `decode`,
// `create`, `fromPartial`), as ts-proto emits them.
export {
  CPU,
  DetectPoint,
  Instant,
  KeyIntValuePair,
  KeyStringValuePair,
} from './generated/common/Common.js';
export { Command, Commands } from './generated/common/Command.js';
export {
  ID,
  Log,
  RefType,
  SegmentCollection,
  SegmentObject,
  SegmentReference,
  SpanAttachedEvent,
  SpanAttachedEvent_SpanReference,
  SpanAttachedEvent_SpanReferenceType,
  SpanLayer,
  SpanObject,
  SpanType,
} from './generated/language-agent/Tracing.js';
export {
  JSONLog,
  LogData,
  LogDataBody,
  LogTags,
  TextLog,
  TraceContext,
  YAMLLog,
} from './generated/logging/Logging.js';
export { InstancePingPkg, InstanceProperties } from './generated/management/Management.js';
export {
  Label,
  MeterBucketValue,
  MeterData,
  MeterDataCollection,
  MeterHistogram,
  MeterSingleValue,
} from './generated/language-agent/Meter.js';
export {
  Event,
  Event_ParametersEntry,
  Source,
  Type,
  // `Type` is the upstream name; `EventType` reads better at a call site.
  Type as EventType,
} from './generated/event/Event.js';
export { ConfigurationSyncRequest } from './generated/language-agent/ConfigurationDiscoveryService.js';
