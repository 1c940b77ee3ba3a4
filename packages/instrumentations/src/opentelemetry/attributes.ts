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

/** What a span is in SkyWalking's terms, decided from its name, kind and the attributes it starts with. */
export interface SpanShape {
  readonly operation: string;
  readonly layer: SpanLayer;
  readonly componentId: number;
  /** `host:port` (or `host`) from `server.address`/`server.port`; an exit span needs one. */
  readonly peer: string | undefined;
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
 * Layer, component, peer and operation name of a span from the attributes it starts with. OpenTelemetry's semantic
 * conventions ask for these attributes at start (samplers read them), and SkyWalking fixes a span's layer and type
 * when it opens; both the current and the older (pre-1.26) attribute names are read.
 */
export function shapeOf(
  name: string,
  kind: number,
  attributes: OtelAttributes | undefined,
): SpanShape {
  const a = attributes ?? {};
  const peer = peerOf(a);
  const dbSystem = text(a['db.system.name']) ?? text(a['db.system']);
  if (dbSystem !== undefined) {
    return {
      operation: name,
      layer: CACHE_SYSTEMS.has(dbSystem) ? SpanLayer.Cache : SpanLayer.Database,
      componentId: DB_COMPONENTS[dbSystem] ?? ComponentId.Unknown,
      peer,
    };
  }
  const mqSystem = text(a['messaging.system']);
  if (mqSystem !== undefined) {
    const componentId =
      mqSystem !== 'rabbitmq'
        ? ComponentId.Unknown
        : kind === OtelSpanKind.CONSUMER
          ? ComponentId.RabbitMQConsumer
          : ComponentId.RabbitMQProducer;
    return { operation: name, layer: SpanLayer.MQ, componentId, peer };
  }
  if (text(a['rpc.system']) !== undefined) {
    return {
      operation: name,
      layer: SpanLayer.RPCFramework,
      componentId: ComponentId.Unknown,
      peer,
    };
  }
  const method = text(a['http.request.method']) ?? text(a['http.method']);
  if (method !== undefined) {
    const route = text(a['http.route']);
    const componentId =
      kind === OtelSpanKind.SERVER
        ? ComponentId.HttpServer
        : kind === OtelSpanKind.CLIENT
          ? ComponentId.HttpClient
          : ComponentId.Unknown;
    return {
      operation: route === undefined ? name : httpOperation(method, route),
      layer: SpanLayer.Http,
      componentId,
      peer,
    };
  }
  return { operation: name, layer: SpanLayer.Unknown, componentId: ComponentId.Unknown, peer };
}

/** The Apache Node.js agent's HTTP operation name, which windsock's own HTTP spans use: `GET:/users/:id`. */
export function httpOperation(method: string, route: string): string {
  return `${method.toUpperCase()}:${route}`;
}

function peerOf(a: OtelAttributes): string | undefined {
  const host = text(a['server.address']) ?? text(a['net.peer.name']);
  if (host === undefined) return undefined;
  const port = a['server.port'] ?? a['net.peer.port'];
  return typeof port === 'number' || typeof port === 'string' ? `${host}:${port}` : host;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

// Attribute → OAP tag key. The server address is the span's peer (and `mq.broker`), the route its operation name.
const TAG_KEYS: Readonly<Record<string, string | null>> = {
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
};

/**
 * Writes one span's attributes as tags, the mapped ones under OAP's keys and the rest under their own names, at most
 * `MAX_ATTRIBUTE_TAGS` of those. Values longer than the tracer's tag cap are cut by the span; `db.statement` is cut
 * to the statement cap of the instrumentation settings, as the database plugins cut theirs.
 */
export class AttributeTags {
  private unmapped = 0;
  private method: string | undefined;
  private route: string | undefined;

  constructor(
    private readonly span: Span,
    private readonly settings: InstrumentationSettings,
  ) {}

  /** Writes every attribute; returns the HTTP operation name once both the method and the route are known. */
  writeAll(attributes: OtelAttributes | undefined): string | undefined {
    if (attributes === undefined) return undefined;
    let operation: string | undefined;
    for (const key of Object.keys(attributes)) {
      operation = this.write(key, attributes[key]) ?? operation;
    }
    return operation;
  }

  /** Writes one attribute; returns the HTTP operation name when this attribute completed it. */
  write(key: string, value: unknown): string | undefined {
    if (value === undefined || value === null) return undefined;
    const mapped = TAG_KEYS[key];
    if (mapped === undefined) {
      if (this.unmapped >= MAX_ATTRIBUTE_TAGS) return undefined;
      this.unmapped += 1;
      this.span.tag(key, tagValue(value));
      return undefined;
    }
    if (key === 'http.route' || key === 'http.request.method' || key === 'http.method') {
      if (key === 'http.route') this.route = tagValue(value);
      else this.method = tagValue(value);
    }
    if (mapped !== null) {
      const max = this.settings.sqlStatementMaxLength;
      const text = tagValue(value);
      this.span.tag(
        mapped,
        mapped === 'db.statement' && text.length > max ? text.slice(0, max) : text,
      );
    }
    if (
      (key === 'http.route' || mapped === 'http.method') &&
      this.method !== undefined &&
      this.route !== undefined
    ) {
      return httpOperation(this.method, this.route);
    }
    return undefined;
  }
}

function tagValue(value: unknown): string {
  return Array.isArray(value) ? value.map(String).join(',') : String(value);
}
