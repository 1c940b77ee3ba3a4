/**
 * `SpanObject.componentId` values from OAP's `component-libraries.yml`, the ones the Node.js agents use.
 * OAP maps the id to the library shown in the UI, so an unknown id shows as "Unknown".
 */
export const ComponentId = {
  Unknown: 0,
  /** Outgoing HTTP (exit spans, layer Http). */
  HttpClient: 2,
  Mysql: 5,
  Redis: 7,
  MongoDB: 9,
  PostgreSQL: 22,
  /** Incoming HTTP (entry spans, layer Http). */
  HttpServer: 49,
  RabbitMQProducer: 52,
  RabbitMQConsumer: 53,
  Express: 4002,
  Axios: 4005,
  Mongoose: 4006,
} as const;

export type ComponentId = (typeof ComponentId)[keyof typeof ComponentId];
