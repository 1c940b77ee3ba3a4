import { ComponentId } from '@windsock/protocol';

/** What the instrumentation reads off a `pg` Client (set by its constructor from the connection parameters). */
export interface PgClient {
  host?: unknown;
  port?: unknown;
  database?: unknown;
  _Promise?: unknown;
}

/** OAP's `db.type` for PostgreSQL, as the Apache Java (`PostgreSQLURLParser`) and Node.js agents send it. */
export const DB_TYPE = 'PostgreSQL';
export const COMPONENT_ID: number = ComponentId.PostgreSQL;
export const QUERY_OPERATION = 'PostgreSQL/query';
export const CONNECT_OPERATION = 'PostgreSQL/connect';

/**
 * The span's peer: `host:port` as the client connects to them (pg resolved defaults and `PG*` variables already).
 * A unix socket directory gives `/var/run/postgresql:5432`, which still names one server.
 */
export function peerOf(client: PgClient): string {
  const host = typeof client.host === 'string' && client.host !== '' ? client.host : 'localhost';
  const port =
    typeof client.port === 'number' || typeof client.port === 'string' ? client.port : 5432;
  return `${host}:${port}`;
}
