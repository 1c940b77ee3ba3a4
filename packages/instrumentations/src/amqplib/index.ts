import { type Instrumentation } from '@windsock/core';
import { AMQPLIB_MODULE, patchAmqplib } from './patch.js';

/** RabbitMQ through amqplib: producer and consumer spans joined across the broker, for OAP's MQ views. */
export const amqplibInstrumentation: Instrumentation = {
  name: 'amqplib',
  description:
    "RabbitMQ (amqplib, promise and callback APIs): publish/sendToQueue as producer exit spans, consume and get as consumer entry spans continuing the producer's trace (layer MQ, rabbitmq-producer/consumer, `mq.broker`, `mq.topic`, `mq.queue`, `transmission.latency`)",
  modules: [AMQPLIB_MODULE],
  enable: (context) => patchAmqplib(context),
};
