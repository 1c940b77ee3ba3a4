import { type Instrumentation } from '@windsock/core';
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
  // spans other libraries emit through the OpenTelemetry API
  opentelemetryInstrumentation,
];
