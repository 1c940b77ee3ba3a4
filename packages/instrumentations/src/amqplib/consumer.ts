import { ComponentId, SpanLayer } from '@windsock/protocol';
import { type Span } from '@windsock/core';
import { operationName, sendTime, tagLatency, tagMessage, text } from './message.js';
import { peerOf } from './peer.js';
import { type AmqpState } from './state.js';

type Fn = (this: unknown, ...args: unknown[]) => unknown;

interface Message {
  fields?: { exchange?: unknown; routingKey?: unknown; deliveryTag?: unknown } | null;
  properties?: { headers?: unknown } | null;
}

/** A delivery's span while it is open: it ends once the handler has returned and the message was settled. */
interface Delivery {
  span: Span;
  returned: boolean;
  settled: boolean;
}

/**
 * Deliveries awaiting their ack, nack or reject, per channel by delivery tag (unique on a channel). Bounded by what
 * the application itself holds unacknowledged; a channel that closes ends all of its own.
 */
const pending = new WeakMap<object, Map<number, Delivery>>();

/** Opens the entry span of a message that arrived: a new segment continuing the producer's trace, if it sent one. */
function openSpan(state: AmqpState, channel: unknown, message: Message): Span | undefined {
  const fields = message.fields;
  const exchange = text(fields?.exchange);
  const routingKey = text(fields?.routingKey);
  const headers = message.properties?.headers;
  const span = state.tracer.startEntrySpan(operationName(exchange, routingKey, 'Consumer'), {
    headers:
      typeof headers === 'object' && headers !== null
        ? (headers as Record<string, string>)
        : undefined,
    // The channel delivers in whatever context its connection was opened: a message belongs to its producer's
    // trace or to a new one, never to that.
    root: true,
    layer: SpanLayer.MQ,
    componentId: ComponentId.RabbitMQConsumer,
  });
  if (span.ended) return undefined;
  const peer = peerOf(channel);
  span.setPeer(peer);
  tagMessage(span, peer, exchange, routingKey);
  tagLatency(span, sendTime(headers, message.properties), Date.now());
  return span;
}

/**
 * Wraps the message handler `consume` registers. Each delivery runs the handler inside its own entry span, which
 * ends when the handler has returned and, on a consumer that acknowledges (`noAck` unset), when the message has been
 * acked, nacked or rejected: an asynchronous handler that acks when done is covered to its end. A handler that throws
 * ends its span as an error (amqplib then closes the channel).
 */
export function wrapHandler(state: AmqpState, channel: object, handler: Fn, noAck: boolean): Fn {
  return function deliver(this: unknown, ...args: unknown[]): unknown {
    const message = args[0];
    if (!state.active || typeof message !== 'object' || message === null) {
      return handler.apply(this, args);
    }
    let delivery: Delivery | undefined;
    try {
      delivery = openDelivery(state, channel, message, noAck);
    } catch (error) {
      state.fail(error);
    }
    if (delivery === undefined) return handler.apply(this, args);
    const span = delivery.span;
    let result: unknown;
    try {
      result = state.tracer.withSpan(span, () => handler.apply(this, args));
    } catch (error) {
      span.error(error);
      finish(state, channel, message, delivery, true);
      throw error;
    }
    finish(state, channel, message, delivery, false);
    return result;
  };
}

function openDelivery(
  state: AmqpState,
  channel: object,
  message: Message,
  noAck: boolean,
): Delivery | undefined {
  const span = openSpan(state, channel, message);
  if (span === undefined) return undefined;
  const delivery: Delivery = { span, returned: false, settled: noAck };
  const tag = message.fields?.deliveryTag;
  if (!noAck && typeof tag === 'number') {
    let open = pending.get(channel);
    if (open === undefined) {
      open = new Map<number, Delivery>();
      pending.set(channel, open);
    }
    open.set(tag, delivery);
  } else {
    delivery.settled = true;
  }
  return delivery;
}

/** The handler returned (or threw, which settles the delivery too): ends the span if the message is settled. */
function finish(
  state: AmqpState,
  channel: object,
  message: Message,
  delivery: Delivery,
  threw: boolean,
): void {
  try {
    delivery.returned = true;
    if (threw) delivery.settled = true;
    if (!delivery.settled) return;
    delivery.span.end();
    const tag = message.fields?.deliveryTag;
    if (typeof tag === 'number') pending.get(channel)?.delete(tag);
  } catch (error) {
    state.fail(error);
  }
}

/**
 * The application settled deliveries: `ack`/`nack`/`reject` of one message, or of every pending one up to it
 * (`allUpTo`), `ackAll`/`nackAll`, or the channel closed or recovered (the broker redelivers what was unsettled). A
 * nack, a reject and a close mark the span as an error: the message was not consumed, and OAP's MQ success rate
 * counts it so. `single`: only the delivery tagged `upTo`, else every pending one up to it.
 */
export function settle(
  channel: unknown,
  upTo: number | 'all',
  single: boolean,
  failure: string | undefined,
): void {
  if (typeof channel !== 'object' || channel === null) return;
  const open = pending.get(channel);
  if (open === undefined || open.size === 0) return;
  if (single && upTo !== 'all') {
    const delivery = open.get(upTo);
    if (delivery !== undefined) settleOne(open, upTo, delivery, failure);
    return;
  }
  for (const [tag, delivery] of open) {
    if (upTo === 'all' || tag <= upTo) settleOne(open, tag, delivery, failure);
  }
}

function settleOne(
  open: Map<number, Delivery>,
  tag: number,
  delivery: Delivery,
  failure: string | undefined,
): void {
  // The first settlement counts: a later one (a nack after an ack) is the application's mistake, not the message's.
  if (delivery.settled) return;
  delivery.settled = true;
  if (failure !== undefined) delivery.span.error(failure);
  if (!delivery.returned) return;
  delivery.span.end();
  open.delete(tag);
}

/**
 * A message `get` returned: an entry span marking its arrival, continuing the producer's trace, ended at once. The
 * application handles the message in its own context (the promise or callback of `get` runs there), so no span of
 * its work is under this one; an empty queue records nothing, so a polling loop does not start a trace per poll.
 */
export function recordGet(state: AmqpState, channel: unknown, message: unknown): void {
  if (!state.active || typeof message !== 'object' || message === null) return;
  try {
    openSpan(state, channel, message)?.end();
  } catch (error) {
    state.fail(error);
  }
}
