import {
  ComponentId,
  encodeSw8X,
  decodeSw8X,
  SpanLayer,
  SW8_HEADER,
  SW8_X_HEADER,
} from '@windsock/protocol';
import { type Span } from '@windsock/core';
import { type AmqpState } from './state.js';
import { operationName, tagMessage, text } from './message.js';
import { peerOf } from './peer.js';

type Publish = (this: unknown, ...args: unknown[]) => unknown;

/**
 * Wraps `Channel#publish` (both APIs; `sendToQueue` and the confirm channels go through it): an exit span for the
 * call, its `sw8` headers in the message's headers. The application's options and headers objects are never
 * written: the library is handed an object whose prototype is the application's options, holding its own `headers`,
 * whose prototype in turn is the application's headers (amqplib reads both through their prototype chains), so the
 * message carries the application's headers plus the `sw8` keys, which replace any the application forwarded.
 */
export function wrapPublish(state: AmqpState) {
  return (original: Publish): Publish =>
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
        span.error(error);
        span.end();
        throw error;
      }
      span.end();
      return result;
    };
}

/** Opens the span and puts the options carrying its headers in `args[3]`; undefined where nothing is traced. */
function startPublish(state: AmqpState, channel: unknown, args: unknown[]): Span | undefined {
  const exchange = text(args[0]);
  const routingKey = text(args[1]);
  const options = args[3];
  const own = typeof options === 'object' && options !== null ? options : undefined;
  const appHeaders = (own as { headers?: unknown } | undefined)?.headers;
  const headers = Object.create(
    typeof appHeaders === 'object' && appHeaders !== null ? appHeaders : null,
  ) as Record<string, unknown>;
  const peer = peerOf(channel);
  const span = state.tracer.startExitSpan(operationName(exchange, routingKey, 'Producer'), peer, {
    headers,
    layer: SpanLayer.MQ,
    componentId: ComponentId.RabbitMQProducer,
  });
  // A suppressed context gets a span that is already ended and wrote nothing: leave the call as it was.
  if (span.ended || !Object.hasOwn(headers, SW8_HEADER)) return undefined;
  tagMessage(span, peer, exchange, routingKey);
  // The send time rides in sw8-x (as the Java agent's MQ spans do), so the consumer's transmission latency does not
  // depend on the application setting `timestamp`; the tracing mode core wrote there, if any, is kept.
  const skipAnalysis = Object.hasOwn(headers, SW8_X_HEADER)
    ? decodeSw8X(text(headers[SW8_X_HEADER]))?.skipAnalysis === true
    : false;
  headers[SW8_X_HEADER] = encodeSw8X({ skipAnalysis, clientSendTimestamp: Date.now() });
  // A literal defines `headers` as an own property even where the application's (frozen) options hold one.
  args[3] = own === undefined ? { headers } : { __proto__: own, headers };
  return span;
}
