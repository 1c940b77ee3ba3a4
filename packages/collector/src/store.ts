import type {
  Event,
  InstancePingPkg,
  InstanceProperties,
  KeyStringValuePair,
  LogData,
  MeterData,
  SegmentObject,
} from '@windsock/protocol';
import { RingBuffer } from './ring.js';

/** What the collector counts, one number per kind of item. */
export interface ItemCounts {
  segments: number;
  logs: number;
  /** `MeterData` items, whether they came one per message (`collect`) or inside collections (`collectBatch`). */
  meters: number;
  events: number;
  instanceProperties: number;
  keepAlives: number;
  configurationFetches: number;
}

export type ItemKind = keyof ItemCounts;

/**
 * How a call ended:
 * - `acknowledged`: answered OK; its items are counted and retained.
 * - `rejected`: answered with an error status by a fault (`fail`, `auth`).
 * - `aborted`: ended without an answer: the connection dropped (`reset`, `refuse`, `blackhole`, `stop()`) or the
 *   client cancelled.
 */
export type CallOutcome = 'acknowledged' | 'rejected' | 'aborted';

export interface CollectorCounts extends ItemCounts {
  /** Items the collector received in calls that did not end `acknowledged`: the client cannot know they arrived. */
  unacknowledged: ItemCounts;
  calls: Record<CallOutcome, number>;
}

/** Everything known about one service instance, from `reportInstanceProperties` and `keepAlive`. */
export interface InstanceRecord {
  service: string;
  serviceInstance: string;
  layer: string;
  /** The properties of the latest `reportInstanceProperties`, empty until one arrives. */
  properties: KeyStringValuePair[];
  propertiesReportedAt?: number;
  /** Epoch ms of the latest acknowledged `keepAlive`. */
  lastKeepAliveAt?: number;
  keepAlives: number;
  /** The `agent-version` metadata of the latest management call. */
  agentVersion?: string;
}

/** One received call, with the request metadata SkyWalking agents send. */
export interface RequestRecord {
  /** Full gRPC method, e.g. `/skywalking.v3.TraceSegmentReportService/collect`. */
  method: string;
  peer: string;
  authentication?: string;
  agentVersion?: string;
  receivedAt: number;
  /** Unset while the call is in progress. */
  outcome?: CallOutcome;
}

const zeroCounts = (): ItemCounts => ({
  segments: 0,
  logs: 0,
  meters: 0,
  events: 0,
  instanceProperties: 0,
  keepAlives: 0,
  configurationFetches: 0,
});

/**
 * What the collector acknowledged, decoded, in bounded memory: each kind keeps its newest `retain` items while the
 * counters keep counting past that.
 */
export class CollectorStore {
  private readonly segmentRing: RingBuffer<SegmentObject>;
  private readonly logRing: RingBuffer<LogData>;
  private readonly meterRing: RingBuffer<MeterData>;
  private readonly eventRing: RingBuffer<Event>;
  private readonly requestRing: RingBuffer<RequestRecord>;
  private readonly instanceMap = new Map<string, InstanceRecord>();
  private acknowledgedCounts = zeroCounts();
  private unacknowledgedCounts = zeroCounts();
  private callCounts: Record<CallOutcome, number> = { acknowledged: 0, rejected: 0, aborted: 0 };

  constructor(
    readonly retain: number,
    private readonly onChange: () => void = () => {},
    private readonly now: () => number = Date.now,
  ) {
    this.segmentRing = new RingBuffer(retain);
    this.logRing = new RingBuffer(retain);
    this.meterRing = new RingBuffer(retain);
    this.eventRing = new RingBuffer(retain);
    this.requestRing = new RingBuffer(retain);
  }

  segments(): SegmentObject[] {
    return this.segmentRing.toArray();
  }

  logs(): LogData[] {
    return this.logRing.toArray();
  }

  meters(): MeterData[] {
    return this.meterRing.toArray();
  }

  events(): Event[] {
    return this.eventRing.toArray();
  }

  instances(): InstanceRecord[] {
    return [...this.instanceMap.values()].map((record) => ({ ...record }));
  }

  requests(): RequestRecord[] {
    return this.requestRing.toArray().map((record) => ({ ...record }));
  }

  counts(): CollectorCounts {
    return {
      ...this.acknowledgedCounts,
      unacknowledged: { ...this.unacknowledgedCounts },
      calls: { ...this.callCounts },
    };
  }

  /** Starts a call record; the returned object is completed by `settle`. */
  beginRequest(record: Omit<RequestRecord, 'receivedAt' | 'outcome'>): RequestRecord {
    const started: RequestRecord = { ...record, receivedAt: this.now() };
    this.requestRing.push(started);
    this.onChange();
    return started;
  }

  acknowledgeSegments(items: readonly SegmentObject[]): void {
    for (const item of items) this.segmentRing.push(item);
    this.acknowledgedCounts.segments += items.length;
  }

  acknowledgeLogs(items: readonly LogData[]): void {
    for (const item of items) this.logRing.push(item);
    this.acknowledgedCounts.logs += items.length;
  }

  acknowledgeMeters(items: readonly MeterData[]): void {
    for (const item of items) this.meterRing.push(item);
    this.acknowledgedCounts.meters += items.length;
  }

  acknowledgeEvents(items: readonly Event[]): void {
    for (const item of items) this.eventRing.push(item);
    this.acknowledgedCounts.events += items.length;
  }

  acknowledgeInstanceProperties(
    report: InstanceProperties,
    agentVersion: string | undefined,
  ): void {
    const record = this.instance(report.service, report.serviceInstance);
    record.properties = report.properties;
    record.layer = report.layer;
    record.propertiesReportedAt = this.now();
    if (agentVersion !== undefined) record.agentVersion = agentVersion;
    this.acknowledgedCounts.instanceProperties += 1;
  }

  acknowledgeKeepAlive(ping: InstancePingPkg, agentVersion: string | undefined): void {
    const record = this.instance(ping.service, ping.serviceInstance);
    record.lastKeepAliveAt = this.now();
    record.keepAlives += 1;
    if (ping.layer !== '') record.layer = ping.layer;
    if (agentVersion !== undefined) record.agentVersion = agentVersion;
    this.acknowledgedCounts.keepAlives += 1;
  }

  acknowledgeConfigurationFetch(): void {
    this.acknowledgedCounts.configurationFetches += 1;
  }

  countUnacknowledged(kind: ItemKind, items: number): void {
    this.unacknowledgedCounts[kind] += items;
  }

  /** Records how a call ended and wakes whoever waits on the state. */
  settle(request: RequestRecord, outcome: CallOutcome): void {
    request.outcome = outcome;
    this.callCounts[outcome] += 1;
    this.onChange();
  }

  /** Forgets everything retained and resets every counter. */
  clear(): void {
    this.segmentRing.clear();
    this.logRing.clear();
    this.meterRing.clear();
    this.eventRing.clear();
    this.requestRing.clear();
    this.instanceMap.clear();
    this.acknowledgedCounts = zeroCounts();
    this.unacknowledgedCounts = zeroCounts();
    this.callCounts = { acknowledged: 0, rejected: 0, aborted: 0 };
    this.onChange();
  }

  private instance(service: string, serviceInstance: string): InstanceRecord {
    const key = JSON.stringify([service, serviceInstance]);
    let record = this.instanceMap.get(key);
    if (record === undefined) {
      record = { service, serviceInstance, layer: '', properties: [], keepAlives: 0 };
    } else {
      // Re-inserting keeps the map in least-recently-seen order, so eviction drops the stalest instance.
      this.instanceMap.delete(key);
    }
    this.instanceMap.set(key, record);
    if (this.instanceMap.size > this.retain) {
      const stalest = this.instanceMap.keys().next().value;
      if (stalest !== undefined) this.instanceMap.delete(stalest);
    }
    return record;
  }
}
