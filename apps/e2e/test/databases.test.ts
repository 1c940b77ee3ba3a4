import { SpanLayer, SpanType, type SegmentObject, type SpanObject } from '@windsock/protocol';
import {
  startMariadb,
  startPostgres,
  type MariadbServer,
  type PostgresServer,
} from '@windsock/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AgentApp, startAgentApp, tagOf } from './helpers/agent-app.js';

// An ES module service under the real agent querying real PostgreSQL and MariaDB inside its HTTP handlers: what the
// collector gets is what OAP's Virtual Database views are built from.
let postgres: PostgresServer;
let mariadb: MariadbServer;
let app: AgentApp;
let base: string;

beforeAll(async () => {
  [postgres, mariadb] = await Promise.all([startPostgres(), startMariadb()]);
  const { user, password } = postgres.passwordUser;
  app = await startAgentApp('databases/app.mjs', {
    env: {
      PG_URL: `postgres://${user}:${password}@127.0.0.1:${postgres.port}/${postgres.database}`,
      MYSQL_URL: `mysql://${mariadb.user}:${mariadb.password}@127.0.0.1:${mariadb.port}/${mariadb.database}`,
    },
  });
  base = `http://127.0.0.1:${(await app.line(/listening on (\d+)/))[1]!}`;
});

afterAll(async () => {
  await app?.stop();
  await Promise.all([postgres?.stop(), mariadb?.stop()]);
});

/** Requests `path` and returns the reported entry span of that request, its segment and its database spans. */
async function request(path: string): Promise<{
  body: unknown;
  segment: SegmentObject;
  entry: SpanObject;
  database: SpanObject[];
}> {
  const response = await fetch(`${base}${path}`);
  const body: unknown = await response.json();
  expect(response.status).toBe(200);
  const find = () =>
    app
      .spans()
      .find(
        ({ span }) =>
          span.spanType === SpanType.Entry && tagOf(span, 'http.url') === `${base}${path}`,
      );
  await app.collector.waitFor(() => find() !== undefined, 30_000);
  const { segment, span: entry } = find()!;
  const database = segment.spans.filter((s) => s.spanLayer === SpanLayer.Database);
  return { body, segment, entry, database };
}

describe('databases under windsock/register (ES module app)', () => {
  it('pg: exit spans with layer Database, component 22, host:port peer, db tags, children of the request', async () => {
    const { body, entry, database } = await request('/pg');
    expect(body).toEqual({ n: 1 });
    const queries = database.filter((s) => s.operationName === 'PostgreSQL/query');
    expect(queries.map((s) => tagOf(s, 'db.statement'))).toEqual([
      'SELECT $1::int AS n',
      'SELECT count(*) AS tables FROM pg_class',
    ]);
    // The pool's first connection is part of the first request that needed it.
    expect(database.map((s) => s.operationName)).toContain('PostgreSQL/connect');
    for (const span of database) {
      expect(span).toMatchObject({
        spanType: SpanType.Exit,
        spanLayer: SpanLayer.Database,
        componentId: 22,
        peer: `127.0.0.1:${postgres.port}`,
        parentSpanId: entry.spanId,
        isError: false,
      });
      expect(tagOf(span, 'db.type')).toBe('PostgreSQL');
      expect(tagOf(span, 'db.instance')).toBe(postgres.database);
    }
  });

  it('mysql2: exit spans with layer Database, component 5, host:port peer, db tags, children of the request', async () => {
    const { body, entry, database } = await request('/mysql');
    expect(body).toEqual({ one: 1, two: 2 });
    expect(database.map((s) => [s.operationName, tagOf(s, 'db.statement')])).toEqual([
      ['Mysql/query', 'SELECT 1 AS one'],
      ['Mysql/execute', 'SELECT ? AS two'],
    ]);
    for (const span of database) {
      expect(span).toMatchObject({
        spanType: SpanType.Exit,
        spanLayer: SpanLayer.Database,
        componentId: 5,
        peer: `127.0.0.1:${mariadb.port}`,
        parentSpanId: entry.spanId,
        isError: false,
      });
      expect(tagOf(span, 'db.type')).toBe('Mysql');
      expect(tagOf(span, 'db.instance')).toBe(mariadb.database);
    }
  });

  it('server errors mark the spans and reach the app unchanged', async () => {
    const { body, entry, database } = await request('/failures');
    expect(body).toEqual({ pgError: '42601', mysqlError: 'ER_PARSE_ERROR' });
    expect(database.map((s) => [s.operationName, s.componentId, s.isError])).toEqual([
      ['PostgreSQL/query', 22, true],
      ['Mysql/query', 5, true],
    ]);
    for (const span of database) {
      expect(span.parentSpanId).toBe(entry.spanId);
      const logged = span.logs.flatMap((log) => log.data.map((d) => d.value)).join('\n');
      expect(logged).toMatch(/syntax error|error in your SQL syntax/);
    }
  });

  it('sends no password: not in peers, statements or anything else the collector got', () => {
    const everything = JSON.stringify(app.collector.segments());
    expect(everything).not.toContain(postgres.passwordUser.password);
    expect(everything).not.toContain(mariadb.password);
  });
});
