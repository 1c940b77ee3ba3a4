import { type LocalSpanOptions } from '@windsock/core';
import { ComponentId, SpanLayer } from '@windsock/protocol';
import { httpOperation, type OtelAttributes, text } from './attributes.js';
import { BridgedSpan } from './bridged-span.js';

/** OpenTelemetry's `SpanKind` values (the API's enum, without loading the API). */
export const OtelSpanKind = {
  INTERNAL: 0,
  SERVER: 1,
  CLIENT: 2,
  PRODUCER: 3,
  CONSUMER: 4,
} as const;

/**
 * Layer and component of a span, as the options windsock's tracer takes for a bridged span (its span class
 * included). One shared object per combination: deciding a span's shape allocates nothing, and the shape is passed
 * to the tracer as it is.
 */
export interface SpanShape extends LocalSpanOptions {
  readonly layer: SpanLayer;
  readonly componentId: number;
  readonly spanClass: typeof BridgedSpan;
}

const shapes = new Map<number, SpanShape>();

function shape(layer: SpanLayer, componentId: number): SpanShape {
  const key = layer * 100_000 + componentId;
  let found = shapes.get(key);
  if (found === undefined) {
    found = Object.freeze({ layer, componentId, spanClass: BridgedSpan });
    shapes.set(key, found);
  }
  return found;
}

/** The shape of a span whose attributes say nothing of its layer. */
export const UNKNOWN_SHAPE = shape(SpanLayer.Unknown, ComponentId.Unknown);

// The shape of each database system: one lookup per span. OAP's component-libraries.yml ids of the databases windsock
// also instruments natively; others stay Unknown. Redis, Valkey and Memcached are caches.
const DB_SHAPES: ReadonlyMap<string, SpanShape> = new Map([
  ['postgresql', shape(SpanLayer.Database, ComponentId.PostgreSQL)],
  ['mysql', shape(SpanLayer.Database, ComponentId.Mysql)],
  ['mariadb', shape(SpanLayer.Database, ComponentId.Mysql)],
  ['mongodb', shape(SpanLayer.Database, ComponentId.MongoDB)],
  ['redis', shape(SpanLayer.Cache, ComponentId.Redis)],
  ['valkey', shape(SpanLayer.Cache, ComponentId.Unknown)],
  ['memcached', shape(SpanLayer.Cache, ComponentId.Unknown)],
]);
const OTHER_DB_SHAPE = shape(SpanLayer.Database, ComponentId.Unknown);

/**
 * Layer and component of a span from its kind and the attributes it starts with. OpenTelemetry's semantic
 * conventions ask for these attributes at start (samplers read them), and SkyWalking fixes a span's layer and type
 * when it opens; both the current and the older (pre-1.26) attribute names are read, by name: the few keys that
 * decide are read before any walk over the attributes.
 */
export function shapeOf(kind: number, a: OtelAttributes): SpanShape {
  const dbSystem = text(a['db.system.name']) ?? text(a['db.system']);
  if (dbSystem !== undefined) return DB_SHAPES.get(dbSystem) ?? OTHER_DB_SHAPE;
  const mqSystem = text(a['messaging.system']);
  if (mqSystem !== undefined) {
    const componentId =
      mqSystem !== 'rabbitmq'
        ? ComponentId.Unknown
        : kind === OtelSpanKind.CONSUMER
          ? ComponentId.RabbitMQConsumer
          : ComponentId.RabbitMQProducer;
    return shape(SpanLayer.MQ, componentId);
  }
  if (text(a['rpc.system']) !== undefined)
    return shape(SpanLayer.RPCFramework, ComponentId.Unknown);
  if (httpMethodOf(a) !== undefined) {
    const componentId =
      kind === OtelSpanKind.SERVER
        ? ComponentId.HttpServer
        : kind === OtelSpanKind.CLIENT
          ? ComponentId.HttpClient
          : ComponentId.Unknown;
    return shape(SpanLayer.Http, componentId);
  }
  return UNKNOWN_SHAPE;
}

/** The operation name: the span's name, or `GET:/users/:id` when it starts with an HTTP method and route. */
export function operationOf(name: string, attributes: OtelAttributes): string {
  const method = httpMethodOf(attributes);
  const route = method === undefined ? undefined : text(attributes['http.route']);
  return route === undefined ? name : httpOperation(method!, route);
}

function httpMethodOf(a: OtelAttributes): string | undefined {
  return text(a['http.request.method']) ?? text(a['http.method']);
}

// The last peer made: a library talks to the same server span after span, so its `host:port` is built once.
let lastPeer = { host: '', port: undefined as unknown, peer: '' };

/** `host:port` (or `host`) from `server.address`/`server.port`; an exit span needs one. */
export function peerOf(attributes: OtelAttributes): string | undefined {
  const host = text(attributes['server.address']) ?? text(attributes['net.peer.name']);
  if (host === undefined) return undefined;
  const port = attributes['server.port'] ?? attributes['net.peer.port'];
  if (typeof port !== 'number' && typeof port !== 'string') return host;
  if (lastPeer.host !== host || lastPeer.port !== port) {
    lastPeer = { host, port, peer: `${host}:${port}` };
  }
  return lastPeer.peer;
}
