import { expect, it } from 'vitest';
import { ComponentId } from './component-id.js';

it('matches the ids in OAP component-libraries.yml that Node.js agents use', () => {
  expect(ComponentId).toEqual({
    Unknown: 0,
    HttpClient: 2,
    Mysql: 5,
    Redis: 7,
    MongoDB: 9,
    PostgreSQL: 22,
    HttpServer: 49,
    RabbitMQProducer: 52,
    RabbitMQConsumer: 53,
    Express: 4002,
    Axios: 4005,
    Mongoose: 4006,
  });
});
