import { type LogData, type MeterData, type SegmentObject } from '@windsock/protocol';

/**
 * Where telemetry goes: the facade's queues. Every method is called synchronously, as agent code (`runAsAgent`:
 * anything logged while it runs, e.g. an overflow diagnostic written through the application's logger, is not
 * reported back), must be O(1) and should not throw (core guards each call anyway and counts failures).
 */
export interface Sink {
  /** A finished segment, when the last open span of it ends. */
  segment(segment: SegmentObject): void;
  /** One log record, from `Logger.log` or a logger integration. */
  log(record: LogData): void;
  /** One collection of meters, every `intervalMs` while a `MeterRegistry` is started. */
  meters(collection: MeterData[]): void;
}
