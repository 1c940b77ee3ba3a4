import {
  ComponentId,
  decodeSw8X,
  encodeSw8X,
  SpanLayer,
  SW8_HEADER,
  SW8_X_HEADER,
} from '@windsock/protocol';
import { type Span } from '@windsock/core';
import { operationName, tagMessage, text } from './message.js';
import { peerOf } from './peer.js';
import { type AmqpState } from './state.js';

type Fn = (this: unknown, ...args: unknown[]) => unknown;

/**
 * The headers of the publish in progress, from its exit span to `sendMessage`, which `publish` calls synchronously.
 * One slot is enough: nothing runs between the two but amqplib reading the options.
 */
let pending: Record<string, string> | undefined;

/**
 * Wraps `Channel#publish` (both APIs; `sendToQueue` and the confirm channels go through it): an exit span for the
 * call. A publish that throws (a closed channel, a broken connection: amqplib throws before encoding anything) ends
 * it as an error, and the error goes on to the application unchanged.
 */
export function wrapPublish(state: AmqpState) {
  return (original: Fn): Fn =>
    function publish(this: unknown, ...args: unknown[]): unknown {
      if (!state.active) return original.apply(this, args);
      let span: Span | undefined;
      try {
        span = startPublish(state, this, args);
      } catch (error) {
        state.fail(error);
      }
      if (span === undefined) return original.apply(this, args);
      let result: unknown;
      try {
        result = original.apply(this, args);
      } catch (error) {
        pending = undefined;
        span.error(error);
        span.end();
        throw error;
      }
      pending = undefined;
      span.end();
      return result;
    };
}

/** Opens the span and leaves its headers for `sendMessage`; undefined where nothing is traced. */
function startPublish(state: AmqpState, channel: unknown, args: unknown[]): Span | undefined {
  const exchange = text(args[0]);
  const routingKey = text(args[1]);
  const headers: Record<string, string> = {};
  const peer = peerOf(channel);
  const span = state.tracer.startExitSpan(operationName(exchange, routingKey, 'Producer'), peer, {
    headers,
    layer: SpanLayer.MQ,
    componentId: ComponentId.RabbitMQProducer,
  });
  // A suppressed context gets a span that is already ended and wrote nothing: leave the call as it was.
  if (span.ended || headers[SW8_HEADER] === undefined) return undefined;
  tagMessage(span, peer, exchange, routingKey);
  // The send time rides in sw8-x (as the Java agent's MQ spans do), so the consumer's transmission latency does not
  // depend on the application setting `timestamp`; the tracing mode core wrote there, if any, is kept.
  const skipAnalysis = decodeSw8X(headers[SW8_X_HEADER])?.skipAnalysis === true;
  headers[SW8_X_HEADER] = encodeSw8X({ skipAnalysis, clientSendTimestamp: Date.now() });
  pending = headers;
  return span;
}

/**
 * Wraps `Channel#sendMessage`, which encodes and writes the message: the publish's `sw8` keys are added to the
 * headers object amqplib built for this message (`Object.create(options.headers)`, a new object on every publish),
 * as its own keys. The application's options and headers objects are never written, the message carries the
 * application's headers plus the `sw8` keys, which replace any `sw8` the application forwarded from a message it
 * consumed (this service is the producer now). Adding them there rather than handing amqplib other options keeps
 * the headers one object deep on top of the application's, which amqplib's `for...in` walks at its usual speed.
 */
export function wrapSendMessage(state: AmqpState) {
  return (original: Fn): Fn =>
    function sendMessage(this: unknown, ...args: unknown[]): unknown {
      const headers = pending;
      if (headers !== undefined) {
        pending = undefined;
        try {
          const target = (args[1] as { headers?: unknown } | null | undefined)?.headers;
          if (typeof target === 'object' && target !== null) addOwn(target, headers);
        } catch (error) {
          state.fail(error);
        }
      }
      return original.apply(this, args);
    };
}

/** Adds the keys as the target's own, also where its prototype (the application's headers) holds a read-only one. */
function addOwn(target: object, headers: Record<string, string>): void {
  for (const key of Object.keys(headers)) {
    if (!Reflect.set(target, key, headers[key])) {
      Object.defineProperty(target, key, {
        value: headers[key],
        writable: true,
        enumerable: true,
        configurable: true,
      });
    }
  }
}
