import { randomUUID } from 'node:crypto';
import { type Server } from '@grpc/grpc-js';
import {
  ConfigurationDiscoveryServiceDefinition,
  type ConfigurationDiscoveryServiceServer,
  type Commands,
  type ConfigurationSyncRequest,
  type Event,
  EventServiceDefinition,
  type EventServiceServer,
  type InstancePingPkg,
  type InstanceProperties,
  type LogData,
  LogReportServiceDefinition,
  type LogReportServiceServer,
  ManagementServiceDefinition,
  type ManagementServiceServer,
  type MeterData,
  type MeterDataCollection,
  MeterReportServiceDefinition,
  type MeterReportServiceServer,
  type SegmentCollection,
  type SegmentObject,
  TraceSegmentReportServiceDefinition,
  type TraceSegmentReportServiceServer,
} from '@windsock/protocol';
import { clientStreamingHandler, type CallEnvironment, unaryHandler } from './calls.js';
import { type AgentConfiguration, configurationCommands } from './configuration.js';

const noCommands = (): Commands => ({ commands: [] });
const one = (): number => 1;

/** Registers every SkyWalking v3 service a language agent talks to on `server`. */
export function addSkyWalkingServices(
  server: Server,
  env: CallEnvironment,
  configuration: () => AgentConfiguration | undefined,
): void {
  const { store } = env;

  const trace: TraceSegmentReportServiceServer = {
    collect: clientStreamingHandler<SegmentObject>(env, {
      service: 'TraceSegmentReportService',
      kind: 'segments',
      itemsIn: one,
      acknowledge: (segments) => {
        store.acknowledgeSegments(segments);
        return noCommands();
      },
    }),
    collectInSync: unaryHandler<SegmentCollection>(env, {
      service: 'TraceSegmentReportService',
      kind: 'segments',
      itemsIn: (collection) => collection.segments.length,
      acknowledge: ([collection]) => {
        store.acknowledgeSegments(collection?.segments ?? []);
        return noCommands();
      },
    }),
  };

  const log: LogReportServiceServer = {
    collect: clientStreamingHandler<LogData>(env, {
      service: 'LogReportService',
      kind: 'logs',
      itemsIn: one,
      acknowledge: (logs) => {
        store.acknowledgeLogs(logs);
        return noCommands();
      },
    }),
  };

  const meter: MeterReportServiceServer = {
    collect: clientStreamingHandler<MeterData>(env, {
      service: 'MeterReportService',
      kind: 'meters',
      itemsIn: one,
      acknowledge: (meters) => {
        store.acknowledgeMeters(meters);
        return noCommands();
      },
    }),
    collectBatch: clientStreamingHandler<MeterDataCollection>(env, {
      service: 'MeterReportService',
      kind: 'meters',
      itemsIn: (collection) => collection.meterData.length,
      acknowledge: (collections) => {
        store.acknowledgeMeters(collections.flatMap((collection) => collection.meterData));
        return noCommands();
      },
    }),
  };

  const management: ManagementServiceServer = {
    reportInstanceProperties: unaryHandler<InstanceProperties>(env, {
      service: 'ManagementService',
      kind: 'instanceProperties',
      itemsIn: one,
      acknowledge: (reports, metadata) => {
        for (const report of reports)
          store.acknowledgeInstanceProperties(report, metadata.agentVersion);
        return noCommands();
      },
    }),
    keepAlive: unaryHandler<InstancePingPkg>(env, {
      service: 'ManagementService',
      kind: 'keepAlives',
      itemsIn: one,
      acknowledge: (pings, metadata) => {
        for (const ping of pings) store.acknowledgeKeepAlive(ping, metadata.agentVersion);
        return noCommands();
      },
    }),
  };

  const event: EventServiceServer = {
    collect: clientStreamingHandler<Event>(env, {
      service: 'EventService',
      kind: 'events',
      itemsIn: one,
      acknowledge: (events) => {
        store.acknowledgeEvents(events);
        return noCommands();
      },
    }),
  };

  const configurationDiscovery: ConfigurationDiscoveryServiceServer = {
    fetchConfigurations: unaryHandler<ConfigurationSyncRequest>(env, {
      service: 'ConfigurationDiscoveryService',
      kind: 'configurationFetches',
      itemsIn: one,
      acknowledge: ([request]) => {
        store.acknowledgeConfigurationFetch();
        return configurationCommands(
          configuration(),
          request ?? { service: '', uuid: '' },
          randomUUID,
        );
      },
    }),
  };

  server.addService(TraceSegmentReportServiceDefinition, trace);
  server.addService(LogReportServiceDefinition, log);
  server.addService(MeterReportServiceDefinition, meter);
  server.addService(ManagementServiceDefinition, management);
  server.addService(EventServiceDefinition, event);
  server.addService(ConfigurationDiscoveryServiceDefinition, configurationDiscovery);
}
