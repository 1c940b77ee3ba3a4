import { decodeSw8X, SW8_X_HEADER } from '@windsock/protocol';
import { type Span } from '@windsock/core';

// What a span says about a message: the operation name and the tags OAP's MQ analysis reads.

/**
 * The Java agent's RabbitMQ names (`RabbitMQ/Topic/<exchange>Queue/<routingKey>/Producer`, `.../Consumer`), kept
 * as they are, missing slash included, so a service's MQ endpoints read the same whichever agent reported them.
 */
export function operationName(exchange: string, routingKey: string, role: 'Producer' | 'Consumer') {
  return `RabbitMQ/Topic/${exchange}Queue/${routingKey}/${role}`;
}

/**
 * `mq.broker` is the peer; `mq.topic` the exchange and `mq.queue` the routing key, as the Java agent tags them: OAP
 * names the MQ endpoint `<topic>/<queue>` (blank parts left out), and the delivery carries the exchange and routing
 * key it was published with, so producer and consumer land on the same endpoint. A message sent straight to a queue
 * (the default exchange, '') has only `mq.queue`, the queue's name.
 */
export function tagMessage(span: Span, peer: string, exchange: string, routingKey: string): void {
  span.tag('mq.broker', peer);
  if (exchange !== '') span.tag('mq.topic', exchange);
  if (routingKey !== '') span.tag('mq.queue', routingKey);
}

/** An exchange or routing key as a string: amqplib takes strings, anything else is named by its type. */
export function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return value === undefined || value === null ? '' : typeof value;
}

// AMQP's `timestamp` property is a POSIX time in seconds, but many Node.js producers put `Date.now()` there. Below
// this value a timestamp is read as seconds (it is a date past the year 5000 in seconds, 1973 in milliseconds).
const MILLISECONDS_FROM = 1e11;

/**
 * When the message was sent, in epoch milliseconds: the send time `sw8-x` carries (written by the producing agent at
 * publish, exact), else the message's `timestamp` property (seconds or milliseconds, see above), else undefined.
 */
export function sendTime(headers: unknown, properties: unknown): number | undefined {
  if (typeof headers === 'object' && headers !== null) {
    const extension = (headers as Record<string, unknown>)[SW8_X_HEADER];
    if (typeof extension === 'string') {
      const sent = decodeSw8X(extension)?.clientSendTimestamp;
      if (sent !== undefined) return sent;
    }
  }
  const timestamp = (properties as { timestamp?: unknown } | null | undefined)?.timestamp;
  if (typeof timestamp !== 'number' || !Number.isFinite(timestamp) || timestamp <= 0)
    return undefined;
  return timestamp >= MILLISECONDS_FROM ? timestamp : timestamp * 1000;
}

/**
 * `transmission.latency`: milliseconds from send to arrival, an integer (OAP parses it as a long). Left out when the
 * clocks disagree so much that it would be negative: that says nothing about the queue.
 */
export function tagLatency(span: Span, sent: number | undefined, now: number): void {
  if (sent === undefined) return;
  const latency = Math.round(now - sent);
  if (latency >= 0) span.tag('transmission.latency', latency);
}
