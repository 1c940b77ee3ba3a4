import { type InstrumentationSettings, type Span } from '@windsock/core';
import { KeyMemo, type KeySequence } from './attribute-key-memo.js';

/** OpenTelemetry attributes as the API hands them: a plain object of primitives and arrays of them. */
export type OtelAttributes = Readonly<Record<string, unknown>>;

/**
 * Attributes beyond the mapped ones, kept as tags: a span cannot grow without bound when a library attaches every
 * request header or a large payload description.
 */
export const MAX_ATTRIBUTE_TAGS = 32;

/** The Apache Node.js agent's HTTP operation name, which windsock's own HTTP spans use: `GET:/users/:id`. */
export function httpOperation(method: string, route: string): string {
  return `${method.toUpperCase()}:${route}`;
}

/** A non-empty string attribute value, or undefined. */
export function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** What a mapped attribute is besides a tag: nothing, the statement (capped), the HTTP method, the HTTP route. */
const enum Role {
  Tag,
  Statement,
  Method,
  Route,
}

/** How a mapped attribute is written: an object per key, so writing one branches on a number, not on strings. */
class TagRule {
  constructor(
    /** The OAP tag key; undefined for the route, which is part of the operation name only. */
    readonly tag: string | undefined,
    readonly role: Role,
  ) {}
}

const tag = (key: string, role = Role.Tag): TagRule => new TagRule(key, role);

// Attribute → how OAP gets it; null for the server address and port, which are the span's peer (and `mq.broker`).
// A Map: every attribute of every span is looked up with a key that varies, which object property lookup does slowly.
const TAG_RULES: ReadonlyMap<string, TagRule | null> = new Map(
  Object.entries({
    'http.request.method': tag('http.method', Role.Method),
    'http.method': tag('http.method', Role.Method),
    'url.full': tag('http.url'),
    'http.url': tag('http.url'),
    'http.response.status_code': tag('http.status_code'),
    'http.status_code': tag('http.status_code'),
    'http.route': new TagRule(undefined, Role.Route),
    'db.system.name': tag('db.type'),
    'db.system': tag('db.type'),
    'db.query.text': tag('db.statement', Role.Statement),
    'db.statement': tag('db.statement', Role.Statement),
    'db.namespace': tag('db.instance'),
    'db.name': tag('db.instance'),
    'messaging.destination.name': tag('mq.queue'),
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

// Keys are looked up once per position of each key sequence: see `KeyMemo`.
const TAG_RULE_MEMO = new KeyMemo((key) => TAG_RULES.get(key));

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
  let sequence: KeySequence<TagRule | null | undefined> | undefined;
  let position = 0;
  // for-in rather than Object.keys: no array of keys per span; `hasOwnProperty` rather than `Object.hasOwn`, which
  // V8 folds to a map check for a key for-in gave.
  for (const key in attributes) {
    if (!Object.prototype.hasOwnProperty.call(attributes, key)) continue;
    sequence ??= TAG_RULE_MEMO.sequence(key);
    const rule = sequence.valueAt(position++, key);
    // The peer's keys: read when the span opened, nothing to write.
    if (rule === null) continue;
    const value = attributes[key];
    if (value === undefined || value === null) continue;
    operation = writeRule(span, settings, holder, key, rule, value) ?? operation;
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
  const rule = TAG_RULES.get(key);
  if (rule === null || value === undefined || value === null) return undefined;
  return writeRule(span, settings, holder, key, rule, value);
}

/** Writes a value by its rule (undefined: unmapped, a tag of its own name `key`). */
function writeRule(
  span: Span,
  settings: InstrumentationSettings,
  holder: AttributeHolder,
  key: string,
  rule: TagRule | undefined,
  value: NonNullable<unknown>,
): string | undefined {
  const text = tagValue(value);
  if (rule === undefined) {
    const state = holder.attributeState();
    if (state.unmapped >= MAX_ATTRIBUTE_TAGS) return undefined;
    state.unmapped += 1;
    span.tag(key, text);
    return undefined;
  }
  let state: AttributeState;
  switch (rule.role) {
    case Role.Tag:
      span.tag(rule.tag!, text);
      return undefined;
    case Role.Statement: {
      const max = settings.sqlStatementMaxLength;
      span.tag(rule.tag!, text.length > max ? text.slice(0, max) : text);
      return undefined;
    }
    case Role.Method:
      span.tag(rule.tag!, text);
      state = holder.attributeState();
      state.method = text;
      break;
    case Role.Route:
      state = holder.attributeState();
      state.route = text;
      break;
  }
  return state.method !== undefined && state.route !== undefined
    ? httpOperation(state.method, state.route)
    : undefined;
}

function tagValue(value: unknown): string {
  return typeof value === 'string'
    ? value
    : Array.isArray(value)
      ? value.map(String).join(',')
      : String(value);
}
