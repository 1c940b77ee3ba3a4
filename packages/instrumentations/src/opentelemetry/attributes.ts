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

// Marks `http.route`: not a tag, part of the operation name.
const ROUTE = Symbol('http.route');

// Attribute → OAP tag key; null for the server address and port, which are the span's peer (and `mq.broker`).
// A Map: every attribute of every span is looked up with a key that varies, which object property lookup does slowly.
const TAG_KEYS: ReadonlyMap<string, string | null | typeof ROUTE> = new Map(
  Object.entries({
    'http.request.method': 'http.method',
    'http.method': 'http.method',
    'url.full': 'http.url',
    'http.url': 'http.url',
    'http.response.status_code': 'http.status_code',
    'http.status_code': 'http.status_code',
    'http.route': ROUTE,
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

// Keys are looked up once per position of each key sequence: see `KeyMemo`.
const TAG_KEY_MEMO = new KeyMemo((key) => TAG_KEYS.get(key));

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
  let sequence: KeySequence<string | null | typeof ROUTE | undefined> | undefined;
  let position = 0;
  // for-in rather than Object.keys: no array of keys per span; `hasOwnProperty` rather than `Object.hasOwn`, which
  // V8 folds to a map check for a key for-in gave.
  for (const key in attributes) {
    if (!Object.prototype.hasOwnProperty.call(attributes, key)) continue;
    sequence ??= TAG_KEY_MEMO.sequence(key);
    const mapped = sequence.valueAt(position++, key);
    // The peer's keys: read when the span opened, nothing to write.
    if (mapped === null) continue;
    const value = attributes[key];
    if (value === undefined || value === null) continue;
    operation = writeMapped(span, settings, holder, key, mapped, value) ?? operation;
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
  const mapped = TAG_KEYS.get(key);
  if (mapped === null || value === undefined || value === null) return undefined;
  return writeMapped(span, settings, holder, key, mapped, value);
}

/** Writes a value under its tag key `mapped` (undefined: unmapped, a tag of its own name `key`). */
function writeMapped(
  span: Span,
  settings: InstrumentationSettings,
  holder: AttributeHolder,
  key: string,
  mapped: string | typeof ROUTE | undefined,
  value: NonNullable<unknown>,
): string | undefined {
  if (mapped === undefined) {
    const state = holder.attributeState();
    if (state.unmapped >= MAX_ATTRIBUTE_TAGS) return undefined;
    state.unmapped += 1;
    span.tag(key, tagValue(value));
    return undefined;
  }
  let state: AttributeState;
  if (mapped === ROUTE) {
    state = holder.attributeState();
    state.route = tagValue(value);
  } else {
    const max = settings.sqlStatementMaxLength;
    const text = tagValue(value);
    span.tag(mapped, mapped === 'db.statement' && text.length > max ? text.slice(0, max) : text);
    if (mapped !== 'http.method') return undefined;
    state = holder.attributeState();
    state.method = text;
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
