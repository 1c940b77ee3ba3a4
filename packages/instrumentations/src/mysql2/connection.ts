import { type InstrumentationContext } from '@windsock/core';
import { ComponentId } from '@windsock/protocol';
import { endDbSpan, startDbSpan } from '../sql/db-span.js';
import { type HookGuard } from '../hooks/hook-guard.js';

/** OAP's `db.type` for MySQL, as the Apache Java (`MysqlURLParser`) and Node.js agents send it. */
export const DB_TYPE = 'Mysql';
export const COMPONENT_ID: number = ComponentId.Mysql;
export const QUERY_OPERATION = 'Mysql/query';
export const EXECUTE_OPERATION = 'Mysql/execute';
/** A pool that could not hand out a connection (refused, timed out, closed, queue full). */
export const GET_CONNECTION_OPERATION = 'Mysql/getConnection';

/** What the instrumentation reads off a mysql2 connection's (or pool's connection) config. */
export interface MysqlConfig {
  host?: unknown;
  port?: unknown;
  socketPath?: unknown;
  database?: unknown;
}

export interface Mysql2Hooks {
  readonly context: InstrumentationContext;
  readonly guard: HookGuard;
}

/**
 * The span's peer, as mysql2 connects: the socket path when there is one, else `host:port` with mysql2's
 * defaults (`localhost`, 3306).
 */
export function peerOf(host: unknown, port: unknown, socketPath?: unknown): string {
  if (typeof socketPath === 'string' && socketPath !== '') return socketPath;
  const name = typeof host === 'string' && host !== '' ? host : 'localhost';
  const number =
    typeof port === 'number' || (typeof port === 'string' && port !== '') ? port : 3306;
  return `${name}:${number}`;
}

/**
 * Records a pool's failure to hand out a connection as an ended, failed exit span: the statement never reached a
 * server, yet the request did wait on this database and fail because of it. Called in the caller's context.
 */
export function recordGetConnectionFailure(
  { context, guard }: Mysql2Hooks,
  peer: string,
  database: unknown,
  error: unknown,
): void {
  try {
    const span = startDbSpan(context.tracer, context.settings, {
      operation: GET_CONNECTION_OPERATION,
      peer,
      componentId: COMPONENT_ID,
      dbType: DB_TYPE,
      instance: database,
    });
    endDbSpan(span, error);
  } catch (failure) {
    guard.fail(failure);
  }
}
