import { type InstrumentationSettings, type Span } from '@windsock/core';
import { ComponentId, SpanLayer } from '@windsock/protocol';

/** OpenTelemetry's `SpanKind` values (the API's enum, without loading the API). */
export const OtelSpanKind = {
  INTERNAL: 0,
  SERVER: 1,
  CLIENT: 2,
  PRODUCER: 3,
  CONSUMER: 4,
} as const;

/** OpenTelemetry attributes as the API hands them: a plain object of primitives and arrays of them. */
export type OtelAttributes = Readonly<Record<string, unknown>>;

/**
 * Attributes beyond the mapped ones, kept as tags: a span cannot grow without bound when a library attaches every
 * request header or a large payload description.
 */
export const MAX_ATTRIBUTE_TAGS = 32;

/**
 * Layer and component of a span, the options windsock's tracer takes. One shared object per combination: deciding a
 * span's shape allocates nothing.
 */
export interface SpanShape {
  readonly layer: SpanLayer;
  readonly componentId: number;
}

const NO_ATTRIBUTES: OtelAttributes = Object.freeze({});

const shapes = new Map<number, SpanShape>();

function shape(layer: SpanLayer, componentId: number): SpanShape {
  const key = layer * 100_000 + componentId;
  let found = shapes.get(key);
  if (found === undefined) shapes.set(key, (found = Object.freeze({ layer, componentId })));
  return found;
}

const CACHE_SYSTEMS = new Set(['redis', 'valkey', 'memcached']);

// OAP's component-libraries.yml ids of the databases windsock also instruments natively; others stay Unknown.
const DB_COMPONENTS: Readonly<Record<string, number>> = {
  postgresql: ComponentId.PostgreSQL,
  mysql: ComponentId.Mysql,
  mariadb: ComponentId.Mysql,
  redis: ComponentId.Redis,
  mongodb: ComponentId.MongoDB,
};

/**
 * Layer and component of a span from its kind and the attributes it starts with. OpenTelemetry's semantic
 * conventions ask for these attributes at start (samplers read them), and SkyWalking fixes a span's layer and type
 * when it opens; both the current and the older (pre-1.26) attribute names are read.
 */
export function shapeOf(kind: number, attributes: OtelAttributes | undefined): SpanShape {
  const a = attributes ?? NO_ATTRIBUTES;
  const dbSystem = text(a['db.system.name']) ?? text(a['db.system']);
  if (dbSystem !== undefined) {
    return shape(
      CACHE_SYSTEMS.has(dbSystem) ? SpanLayer.Cache : SpanLayer.Database,
      DB_COMPONENTS[dbSystem] ?? ComponentId.Unknown,
    );
  }
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
  return shape(SpanLayer.Unknown, ComponentId.Unknown);
}

/** The operation name: the span's name, or `GET:/users/:id` when it starts with an HTTP method and route. */
export function operationOf(name: string, attributes: OtelAttributes | undefined): string {
  if (attributes === undefined) return name;
  const method = httpMethodOf(attributes);
  const route = method === undefined ? undefined : text(attributes['http.route']);
  return route === undefined ? name : httpOperation(method!, route);
}

/** The Apache Node.js agent's HTTP operation name, which windsock's own HTTP spans use: `GET:/users/:id`. */
export function httpOperation(method: string, route: string): string {
  return `${method.toUpperCase()}:${route}`;
}

function httpMethodOf(a: OtelAttributes): string | undefined {
  return text(a['http.request.method']) ?? text(a['http.method']);
}

// The last peer made: a library talks to the same server span after span, so its `host:port` is built once.
let lastPeer = { host: '', port: undefined as unknown, peer: '' };

/** `host:port` (or `host`) from `server.address`/`server.port`; an exit span needs one. */
export function peerOf(attributes: OtelAttributes | undefined): string | undefined {
  if (attributes === undefined) return undefined;
  const host = text(attributes['server.address']) ?? text(attributes['net.peer.name']);
  if (host === undefined) return undefined;
  const port = attributes['server.port'] ?? attributes['net.peer.port'];
  if (typeof port !== 'number' && typeof port !== 'string') return host;
  if (lastPeer.host !== host || lastPeer.port !== port) {
    lastPeer = { host, port, peer: `${host}:${port}` };
  }
  return lastPeer.peer;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

// Attribute → OAP tag key. The server address is the span's peer (and `mq.broker`), the route its operation name.
// A Map: every attribute of every span is looked up with a key that varies, which object property lookup does slowly.
const TAG_KEYS: ReadonlyMap<string, string | null> = new Map(
  Object.entries({
    'http.request.method': 'http.method',
    'http.method': 'http.method',
    'url.full': 'http.url',
    'http.url': 'http.url',
    'http.response.status_code': 'http.status_code',
    'http.status_code': 'http.status_code',
    'http.route': null,
    'db.system.name': 'db.type',
    'db.system': 'db.type',
    'db.query.text': 'db.statement',
    'db.statement': 'db.statement',
    'db.namespace': 'db.instance',
    'db.name': 'db.instance',
    'messaging.destination.name': 'mq.queue',
    'server.address': null,
    'server.port': null,
    'net.peer.name': null,
    'net.peer.port': null,
  }),
);

/** What a span's attribute writes remember: how many unmapped tags it has, and the HTTP method and route seen. */
export class AttributeState {
  unmapped = 0;
  method: string | undefined;
  route: string | undefined;
}

/** Where a span's `AttributeState` lives; made by the first write that needs it (mapped keys need none). */
export interface AttributeHolder {
  attributeState(): AttributeState;
}

/**
 * Writes a span's attributes as tags, the mapped ones under OAP's keys and the rest under their own names, at most
 * `MAX_ATTRIBUTE_TAGS` of those. Values longer than the tracer's tag cap are cut by the span; `db.statement` is cut
 * to the statement cap of the instrumentation settings, as the database plugins cut theirs. Returns the HTTP
 * operation name when these attributes completed it (method and route both known).
 */
export function writeAttributes(
  span: Span,
  settings: InstrumentationSettings,
  holder: AttributeHolder,
  attributes: OtelAttributes | undefined,
): string | undefined {
  if (attributes === undefined) return undefined;
  let operation: string | undefined;
  // for-in rather than Object.keys: no array of keys per span; `hasOwnProperty` rather than `Object.hasOwn`, which
  // V8 folds to a map check for a key for-in gave.
  for (const key in attributes) {
    if (Object.prototype.hasOwnProperty.call(attributes, key))
      operation = writeAttribute(span, settings, holder, key, attributes[key]) ?? operation;
  }
  return operation;
}

/** Writes one attribute; returns the HTTP operation name when this attribute completed it. */
export function writeAttribute(
  span: Span,
  settings: InstrumentationSettings,
  holder: AttributeHolder,
  key: string,
  value: unknown,
): string | undefined {
  if (value === undefined || value === null) return undefined;
  const mapped = TAG_KEYS.get(key);
  if (mapped === undefined) {
    const state = holder.attributeState();
    if (state.unmapped >= MAX_ATTRIBUTE_TAGS) return undefined;
    state.unmapped += 1;
    span.tag(key, tagValue(value));
    return undefined;
  }
  if (mapped !== null) {
    const max = settings.sqlStatementMaxLength;
    const text = tagValue(value);
    span.tag(mapped, mapped === 'db.statement' && text.length > max ? text.slice(0, max) : text);
  }
  if (key !== 'http.route' && mapped !== 'http.method') return undefined;
  const state = holder.attributeState();
  if (key === 'http.route') state.route = tagValue(value);
  else state.method = tagValue(value);
  return state.method !== undefined && state.route !== undefined
    ? httpOperation(state.method, state.route)
    : undefined;
}

function tagValue(value: unknown): string {
  return Array.isArray(value) ? value.map(String).join(',') : String(value);
}
