import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import { channel } from 'node:diagnostics_channel';
import type * as Http from 'node:http';
import {
  ComponentId,
  FrameEncoder,
  type KeyStringValuePair,
  RefType,
  type SegmentObject,
  type SegmentReference,
  SpanLayer,
  type SpanObject,
  SpanType,
} from '@windsock/protocol';
import { type AgentHandle, type StartAgent } from './agent.js';
import { FLOOR_HEADER } from './floor.js';

/**
 * The floor plus the segments windsock reports for this workload, built as plainly as this workload allows and
 * encoded with windsock's encoder, then discarded. It does less than any agent can: one clock read at each end of a
 * server request, no `sw8` built or read (the floor's constant header stands in), no queue, no transport. Its rate
 * is therefore a ceiling for any agent that reports the same segments from the application's thread with this
 * encoder, the bound a target for the traced cases can be checked against (issue 22).
 */
export const start: StartAgent = ({ serviceName }): AgentHandle => {
  const storage = new AsyncLocalStorage<OpenRequest>();
  const segments = new SegmentsOfWorkload(serviceName);
  const onServerStart = (message: unknown) => {
    const { request, response } = message as ServerMessage;
    const open: OpenRequest = {
      path: request.url ?? '/',
      host: `127.0.0.1:${request.socket.localPort}`,
      startTime: Date.now(),
    };
    (response as TrackedResponse)[kOpen] = open;
    storage.enterWith(open);
  };
  const onServerFinish = (message: unknown) => {
    const response = (message as ServerMessage).response as TrackedResponse;
    const open = response[kOpen];
    if (open === undefined) return;
    response[kOpen] = undefined;
    segments.serverRequest(open, response.statusCode, Date.now());
  };
  // The load loop's calls start a segment each; /a's call to /b is an exit span of /a's segment, written there.
  const onClientFinish = (message: unknown) => {
    const { request, response } = message as ClientMessage;
    if (request.path === '/a') segments.clientCall(request, response.statusCode ?? 0);
  };
  channel('http.server.request.start').subscribe(onServerStart);
  channel('http.server.response.finish').subscribe(onServerFinish);
  channel('http.client.response.finish').subscribe(onClientFinish);
  return {
    produced: () => segments.produced,
    backlog: () => 0,
    flush: () => Promise.resolve(),
    shutdown: () => {
      channel('http.server.request.start').unsubscribe(onServerStart);
      channel('http.server.response.finish').unsubscribe(onServerFinish);
      channel('http.client.response.finish').unsubscribe(onClientFinish);
      storage.disable();
      return Promise.resolve();
    },
    outgoingHeaders: FLOOR_HEADER,
  };
};

interface OpenRequest {
  path: string;
  host: string;
  startTime: number;
}

interface ServerMessage {
  request: Http.IncomingMessage;
  response: Http.ServerResponse;
}

interface ClientMessage {
  request: Http.ClientRequest;
  response: Http.IncomingMessage;
}

const kOpen = Symbol('floor-segments.open');
interface TrackedResponse extends Http.ServerResponse {
  [kOpen]?: OpenRequest | undefined;
}

/** The three segments of one request of the workload, as windsock reports them (spans, tags, references). */
export class SegmentsOfWorkload {
  produced = 0;
  /** The frame of the last segment, so a test can decode what was encoded. */
  lastFrame: Uint8Array | undefined;
  private readonly encoder = new FrameEncoder();
  private readonly idPrefix = `${randomBytes(8).toString('hex')}.${Date.now().toString(36)}.`;
  private sequence = 0;
  private readonly instance: string;

  constructor(private readonly service: string) {
    this.instance = `${randomBytes(4).toString('hex')}@bench`;
  }

  /** /a: an entry span with /a's exit span to /b inside it; /b: an entry span. Both continue a caller. */
  serverRequest(open: OpenRequest, status: number, endTime: number): void {
    const peer = open.host;
    const entry = this.span(0, -1, open.startTime, endTime, `GET:${open.path}`, '', SpanType.Entry);
    entry.componentId = ComponentId.HttpServer;
    entry.refs = [this.callerRef()];
    entry.tags = httpTags(`http://${peer}${open.path}`, status);
    const spans = [entry];
    if (open.path === '/a') {
      const exit = this.span(1, 0, open.startTime, endTime, '/b', peer, SpanType.Exit);
      exit.tags = httpTags(`http://${peer}/b`, 200);
      spans.push(exit);
    }
    this.report(this.nextId(), spans);
  }

  /** The load loop's call to /a: a segment of one exit span. */
  clientCall(request: Http.ClientRequest, status: number): void {
    const now = Date.now();
    const host = request.host;
    const exit = this.span(0, -1, now, now, request.path, host, SpanType.Exit);
    exit.tags = httpTags(`http://${host}${request.path}`, status);
    this.report(this.nextId(), [exit]);
  }

  private span(
    spanId: number,
    parentSpanId: number,
    startTime: number,
    endTime: number,
    operationName: string,
    peer: string,
    spanType: SpanType,
  ): SpanObject {
    return {
      spanId,
      parentSpanId,
      startTime,
      endTime,
      refs: [],
      operationName,
      peer,
      spanType,
      spanLayer: SpanLayer.Http,
      componentId: ComponentId.HttpClient,
      isError: false,
      tags: [],
      logs: [],
      skipAnalysis: false,
    };
  }

  // The floor's header names no caller, so the reference is made up, of a real one's size.
  private callerRef(): SegmentReference {
    return {
      refType: RefType.CrossProcess,
      traceId: this.nextId(),
      parentTraceSegmentId: this.nextId(),
      parentSpanId: 0,
      parentService: this.service,
      parentServiceInstance: this.instance,
      parentEndpoint: 'GET:/a',
      networkAddressUsedAtPeer: '127.0.0.1',
    };
  }

  private report(traceId: string, spans: SpanObject[]): void {
    const segment: SegmentObject = {
      traceId,
      traceSegmentId: this.nextId(),
      spans,
      service: this.service,
      serviceInstance: this.instance,
      isSizeLimited: false,
    };
    this.lastFrame = this.encoder.segment(segment);
    this.produced += 1;
  }

  private nextId(): string {
    this.sequence += 1;
    return this.idPrefix + this.sequence.toString(36);
  }
}

function httpTags(url: string, status: number): KeyStringValuePair[] {
  return [
    { key: 'http.method', value: 'GET' },
    { key: 'http.url', value: url },
    { key: 'http.status_code', value: String(status) },
  ];
}
