export {
  freePort,
  startProcess,
  tempDir,
  waitForPort,
  which,
  type ServerProcess,
} from './process.js';
export { startRabbitMq, type RabbitMqOptions, type RabbitMqServer } from './rabbitmq.js';
export { startPostgres, type PostgresOptions, type PostgresServer } from './postgres.js';
export { startMariadb, type MariadbOptions, type MariadbServer } from './mariadb.js';
export { startRedis, type RedisOptions, type RedisServer } from './redis.js';
