/**
 * `SpanObject.componentId` values from OAP's `component-libraries.yml`: the ones Node.js agents and windsock's
 * plugins use (ids are global; OAP ignores the file's language column).
 * OAP maps the id to the library shown in the UI, so an unknown id shows as "Unknown".
 */
export const ComponentId = {
  Unknown: 0,
  /** Outgoing HTTP (exit spans, layer Http). */
  HttpClient: 2,
  Mysql: 5,
  Redis: 7,
  MongoDB: 9,
  Memcached: 20,
  PostgreSQL: 22,
  /** gRPC, client (exit) and server (entry) spans alike. */
  GRPC: 23,
  KafkaProducer: 40,
  KafkaConsumer: 41,
  /** Incoming HTTP (entry spans, layer Http). */
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
} as const;

export type ComponentId = (typeof ComponentId)[keyof typeof ComponentId];
