import { expect, it } from 'vitest';
import { ComponentId } from './component-id.js';

it('matches the ids in OAP component-libraries.yml that Node.js agents and plugins use', () => {
  expect(ComponentId).toEqual({
    Unknown: 0,
    HttpClient: 2,
    Mysql: 5,
    Redis: 7,
    MongoDB: 9,
    Memcached: 20,
    PostgreSQL: 22,
    GRPC: 23,
    KafkaProducer: 40,
    KafkaConsumer: 41,
    HttpServer: 49,
    RabbitMQProducer: 52,
    RabbitMQConsumer: 53,
    PulsarProducer: 73,
    PulsarConsumer: 74,
    Express: 4002,
    Egg: 4003,
    Koa: 4004,
    Axios: 4005,
    Mongoose: 4006,
  });
});
