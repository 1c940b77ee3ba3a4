// Real frames, encoded exactly as the agent's queue holds them, and the collector's test certificates as files.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  encodeLogData,
  encodeSegmentObject,
  Event,
  type InstancePingPkg,
  MeterData,
  SpanLayer,
  SpanType,
} from '@windsock/protocol';
import { makeTestCertificates } from '@windsock/collector';

export const SERVICE = 'transport-test';
export const INSTANCE = 'instance-1';
export const ping: InstancePingPkg = {
  service: SERVICE,
  serviceInstance: INSTANCE,
  layer: 'GENERAL',
};

export function segmentFrame(id: string, spans = 1): Uint8Array {
  return encodeSegmentObject({
    traceId: `trace-${id}`,
    traceSegmentId: id,
    service: SERVICE,
    serviceInstance: INSTANCE,
    isSizeLimited: false,
    spans: Array.from({ length: spans }, (_, spanId) => ({
      spanId,
      parentSpanId: spanId - 1,
      startTime: 1_700_000_000_000,
      endTime: 1_700_000_000_010,
      refs: [],
      operationName: `GET /items/${spanId}`,
      peer: '',
      spanType: SpanType.Entry,
      spanLayer: SpanLayer.Http,
      componentId: 49,
      isError: false,
      tags: [{ key: 'http.method', value: 'GET' }],
      logs: [],
      skipAnalysis: false,
    })),
  });
}

export const segmentFrames = (count: number, prefix = 's'): Uint8Array[] =>
  Array.from({ length: count }, (_, i) => segmentFrame(`${prefix}-${i}`));

export function logFrame(text: string): Uint8Array {
  return encodeLogData({
    timestamp: 1_700_000_000_000,
    service: SERVICE,
    serviceInstance: INSTANCE,
    endpoint: '',
    body: { type: 'text', text: { text } },
    traceContext: undefined,
    tags: undefined,
    layer: '',
  });
}

export function meterFrame(name: string, value: number): Uint8Array {
  return MeterData.encode({
    singleValue: { name, labels: [], value },
    service: SERVICE,
    serviceInstance: INSTANCE,
    timestamp: 1_700_000_000_000,
  }).finish();
}

export function eventFrame(name: string): Uint8Array {
  return Event.encode(
    Event.fromPartial({
      uuid: `uuid-${name}`,
      name,
      message: 'test',
      startTime: 1_700_000_000_000,
    }),
  ).finish();
}

export interface CertificateFiles {
  dir: string;
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  read(path: string): Buffer;
}

/** The collector's throwaway CA, server and client certificates, written to a temporary directory as PEM files. */
export function makeCertificates(): CertificateFiles {
  const dir = mkdtempSync(join(tmpdir(), 'windsock-transport-tls-'));
  const file = (name: string): string => join(dir, name);
  const certificates = makeTestCertificates();
  writeFileSync(file('ca.crt'), certificates.ca);
  writeFileSync(file('server.crt'), certificates.serverCert);
  writeFileSync(file('server.key'), certificates.serverKey);
  writeFileSync(file('client.crt'), certificates.clientCert);
  writeFileSync(file('client.key'), certificates.clientKey);
  return {
    dir,
    ca: file('ca.crt'),
    serverCert: file('server.crt'),
    serverKey: file('server.key'),
    clientCert: file('client.crt'),
    clientKey: file('client.key'),
    read: (path) => readFileSync(path),
  };
}
