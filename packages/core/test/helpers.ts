import { type LogData, type MeterData, type SegmentObject } from '@windsock/protocol';
import { createTracer, type Tracer, type TracerOptions } from '../src/index.js';

/** A sink that keeps what it receives: the test's view of what the facade would enqueue. */
export class RecordingSink {
  readonly segments: SegmentObject[] = [];
  readonly logs: LogData[] = [];
  readonly collections: MeterData[][] = [];
  segment(segment: SegmentObject): void {
    this.segments.push(segment);
  }
  log(record: LogData): void {
    this.logs.push(record);
  }
  meters(collection: MeterData[]): void {
    this.collections.push(collection);
  }
}

export function tracerWithSink(options: Partial<TracerOptions> = {}): {
  tracer: Tracer;
  sink: RecordingSink;
} {
  const sink = new RecordingSink();
  const tracer = createTracer({ serviceName: 'svc', serviceInstance: 'inst', sink, ...options });
  return { tracer, sink };
}

/** A clock tests move by hand: span times become exact values. */
export function manualClock(start = 1_700_000_000_000): {
  now: () => number;
  advance(ms: number): void;
} {
  let time = start;
  return {
    now: () => time,
    advance(ms: number) {
      time += ms;
    },
  };
}

import http from 'node:http';
import { type AddressInfo } from 'node:net';

export interface RunningServer {
  server: http.Server;
  port: number;
  url: string;
  close(): Promise<void>;
}

/** Starts an HTTP server on 127.0.0.1 with a free port. */
export async function startServer(handler: http.RequestListener): Promise<RunningServer> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    port,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface SimpleResponse {
  status: number;
  body: string;
}

/** `http.get` as a promise. */
export function httpGet(url: string, options: http.RequestOptions = {}): Promise<SimpleResponse> {
  return new Promise((resolve, reject) => {
    http
      .get(url, options, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

/** How long to wait for an asynchronous outcome: generous, because the test machine is shared and can be loaded. */
export const WAIT = { timeout: 10_000, interval: 5 };

/** Whether a Node.js version publishes `http.client.request.created` (23.2.0 and 22.12.0 on): what tests expect. */
export function hasCreatedChannel(version: string): boolean {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return major > 23 || (major === 23 && minor >= 2) || (major === 22 && minor >= 12);
}

/** An upstream caller as its `sw8` describes it, for tests that continue a trace. */
export const CALLER = {
  sample: true,
  traceId: 'trace-1',
  parentSegmentId: 'segment-1',
  parentSpanId: 3,
  parentService: 'upstream',
  parentServiceInstance: 'upstream-1',
  parentEndpoint: 'GET:/checkout',
  addressUsedAtClient: 'orders:8080',
};
