import { type Instrumentation, NODE_INSTRUMENTATIONS } from '@windsock/core';
import { consoleInstrumentation } from '@windsock/core/console';
import { pinoInstrumentation } from '@windsock/core/pino';
import { amqplibInstrumentation } from './amqplib/index.js';
import { expressInstrumentation } from './express/index.js';
import { fastifyInstrumentation } from './fastify/index.js';
import { grpcJsInstrumentation } from './grpc-js/index.js';
import { ioredisInstrumentation } from './ioredis/index.js';
import { koaInstrumentation } from './koa/index.js';
import { mysql2Instrumentation } from './mysql2/index.js';
import { nestjsInstrumentation } from './nestjs/index.js';
import { opentelemetryInstrumentation } from './opentelemetry/index.js';
import { pgInstrumentation } from './pg/index.js';
import { redisInstrumentation } from './redis/index.js';
import { winstonInstrumentation } from './winston/index.js';

/**
 * Every library instrumentation, in the order they are enabled. Adding one: a folder under `src/` named after the
 * library, exporting its `Instrumentation`, listed here. The facade's `disablePlugins` names and the README's list
 * are generated from this array.
 */
export const LIBRARY_INSTRUMENTATIONS: readonly Instrumentation[] = [
  // web frameworks
  expressInstrumentation,
  nestjsInstrumentation,
  koaInstrumentation,
  fastifyInstrumentation,
  // databases and caches
  pgInstrumentation,
  mysql2Instrumentation,
  ioredisInstrumentation,
  redisInstrumentation,
  // messaging and RPC
  amqplibInstrumentation,
  grpcJsInstrumentation,
  // logging (pino and console are core's: they need no module hook)
  winstonInstrumentation,
  // spans other libraries emit through the OpenTelemetry API
  opentelemetryInstrumentation,
];

/**
 * Everything the agent enables, in order: Node's own (HTTP servers before clients), the logger integrations core
 * provides, then the libraries. The names `disablePlugins` accepts and the README's table come from this list.
 */
export const INSTRUMENTATIONS: readonly Instrumentation[] = [
  ...NODE_INSTRUMENTATIONS,
  pinoInstrumentation,
  consoleInstrumentation,
  ...LIBRARY_INSTRUMENTATIONS,
];
