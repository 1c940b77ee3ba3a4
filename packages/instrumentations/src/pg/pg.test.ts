import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { suppressTracing } from '@windsock/core';
import { SpanLayer, SpanType, type SpanObject } from '@windsock/protocol';
import { freePort, startPostgres, type PostgresServer } from '@windsock/test-servers';
import type * as PgModule from 'pg';
import type PgCursor from 'pg-cursor';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { nodeBinary, runFixture } from '../../test/helpers/fixture.js';
import {
  callbackChain,
  concurrentRequests,
  type Database,
  expectDbSpan as expectDatabaseSpan,
  stopServerUnderQuery,
  workChildren,
} from '../../test/helpers/sql.js';
import { tagOf, tagsOf, tracingHarness } from '../../test/helpers/tracing.js';
import { unwrapped } from '../hooks/wrap.js';
import { HttpProbe, logText, spanText } from '../../test/helpers/http-probe.js';
import { enablePg } from './index.js';

const require = createRequire(import.meta.url);
const fixture = (name: string) =>
  fileURLToPath(new URL(`../../test/fixtures/pg/${name}`, import.meta.url));

const harness = tracingHarness();
const probe = new HttpProbe(harness.sink);
let server: PostgresServer;
let undo: () => void;
let pg: typeof PgModule;
let Cursor: typeof PgCursor;
let pool: PgModule.Pool;
let peer: string;

function config(extra: PgModule.PoolConfig = {}): PgModule.PoolConfig {
  return {
    host: server.host,
    port: server.port,
    user: server.user,
    database: server.database,
    ...extra,
  };
}

const DATABASE: Database = { componentId: 22, dbType: 'PostgreSQL', peer: () => peer };

function expectDbSpan(span: SpanObject | undefined, parent: SpanObject, operation: string) {
  return expectDatabaseSpan(DATABASE, span, parent, operation);
}

/**
 * Ends a pool and resolves once every client's connection has closed: `pool.end()` resolves as soon as it asked its
 * clients to end, and a client whose backend is still busy would otherwise get the server's shutdown notice with
 * nobody listening.
 */
async function endPool(target: PgModule.Pool | undefined): Promise<void> {
  if (target === undefined) return;
  let left = target.totalCount;
  const closed = new Promise<void>((resolve) => {
    if (left === 0) resolve();
    target.on('remove', () => {
      left -= 1;
      if (left === 0) resolve();
    });
  });
  await target.end();
  await closed;
}

beforeAll(async () => {
  server = await startPostgres();
  peer = `127.0.0.1:${server.port}`;
  // Enabled before the first require of pg, as `node -r windsock/register` does.
  undo = enablePg(harness.context);
  pg = require('pg') as typeof PgModule;
  Cursor = require('pg-cursor') as typeof PgCursor;
  await probe.start();
  pool = new pg.Pool(config({ max: 4 }));
  await pool.query('CREATE TABLE items (id int PRIMARY KEY, name text)');
  await pool.query("INSERT INTO items SELECT n, 'item ' || n FROM generate_series(1, 20) AS n");
});

afterAll(async () => {
  await endPool(pool);
  await probe.stop();
  undo?.();
  await server?.stop();
});

describe('pg: the span tree under an HTTP request', () => {
  it('gives each pool.query (promise) an exit span, child of the request entry span, with OAP tags', async () => {
    const trace = await probe.run('pool-promise', async () => {
      const one = await pool.query('SELECT id, name FROM items WHERE id = $1', [3]);
      const two = await pool.query({ text: 'SELECT count(*) AS n FROM items' });
      return [one.rows[0] as unknown, two.rows[0] as unknown];
    });
    expect(trace.outcome.value).toEqual([{ id: 3, name: 'item 3' }, { n: '20' }]);
    const queries = trace.children.filter((s) => s.operationName === 'PostgreSQL/query');
    expect(queries).toHaveLength(2);
    expectDbSpan(queries[0], trace.entry, 'PostgreSQL/query');
    expectDbSpan(queries[1], trace.entry, 'PostgreSQL/query');
    expect(tagsOf(queries[0]!)).toMatchObject({
      'db.statement': 'SELECT id, name FROM items WHERE id = $1',
    });
    expect(tagOf(queries[1]!, 'db.statement')).toBe('SELECT count(*) AS n FROM items');
    expect(queries.every((s) => !s.isError)).toBe(true);
  });

  it('keeps the request context through callbacks: a query made in a query callback is a sibling', async () => {
    const client = new pg.Client(config());
    await client.connect();
    try {
      const trace = await probe.run(
        'client-callback',
        () =>
          new Promise<number>((resolve, reject) => {
            client.query('SELECT 1 AS a', (error, first) => {
              if (error) return reject(error);
              client.query('SELECT $1::int AS b', [2], (error2, second) => {
                if (error2) return reject(error2);
                resolve(Number(first.rows[0].a) + Number(second.rows[0].b));
              });
            });
          }),
      );
      expect(trace.outcome.value).toBe(3);
      expect(trace.children.map((s) => tagOf(s, 'db.statement'))).toEqual([
        'SELECT 1 AS a',
        'SELECT $1::int AS b',
      ]);
      for (const span of trace.children) expectDbSpan(span, trace.entry, 'PostgreSQL/query');
    } finally {
      await client.end();
    }
  });

  it('traces each new connection as PostgreSQL/connect, then its queries', async () => {
    const trace = await probe.run('connect', async () => {
      const client = new pg.Client(config());
      await client.connect();
      try {
        return (await client.query('SELECT 42 AS answer')).rows[0] as unknown;
      } finally {
        await client.end();
      }
    });
    expect(trace.outcome.value).toEqual({ answer: 42 });
    expect(trace.children.map((s) => s.operationName)).toEqual([
      'PostgreSQL/connect',
      'PostgreSQL/query',
    ]);
    const connect = expectDbSpan(trace.children[0], trace.entry, 'PostgreSQL/connect');
    expect(tagOf(connect, 'db.statement')).toBeUndefined();
    expect(connect.isError).toBe(false);
  });

  it('records a transaction as one span per statement, in order, on the checked-out client', async () => {
    const trace = await probe.run('transaction', async () => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await client.query('UPDATE items SET name = $1 WHERE id = $2', ['renamed', 1]);
        await client.query('COMMIT');
      } finally {
        client.release();
      }
    });
    expect(trace.children.map((s) => tagOf(s, 'db.statement'))).toEqual([
      'BEGIN',
      'UPDATE items SET name = $1 WHERE id = $2',
      'COMMIT',
    ]);
    for (const span of trace.children) expectDbSpan(span, trace.entry, 'PostgreSQL/query');
  });

  it('records a multi-statement query as one span with the whole text', async () => {
    const trace = await probe.run('multi', async () => {
      const results = (await pool.query('SELECT 1 AS a; SELECT 2 AS b')) as unknown as unknown[];
      return results.length;
    });
    expect(trace.outcome.value).toBe(2);
    expect(trace.children).toHaveLength(1);
    expect(
      tagOf(expectDbSpan(trace.children[0], trace.entry, 'PostgreSQL/query'), 'db.statement'),
    ).toBe('SELECT 1 AS a; SELECT 2 AS b');
  });

  it('gives a pg-cursor one span from submit to close, and runs read callbacks in the request context', async () => {
    const trace = await probe.run('cursor', async () => {
      const client = await pool.connect();
      try {
        const cursor = client.query(new Cursor('SELECT id FROM items ORDER BY id'));
        const first = await cursor.read(5);
        // The callback form: a query made inside it must still belong to this request.
        const second = await new Promise<unknown[]>((resolve, reject) =>
          cursor.read(5, (error, rows) => {
            if (error) return reject(error);
            pool.query('SELECT 2 AS inside_read').then(() => resolve(rows), reject);
          }),
        );
        await cursor.close();
        return first.length + second.length;
      } finally {
        client.release();
      }
    });
    expect(trace.outcome.value).toBe(10);
    // The query inside the read callback needs a second pooled client: its connect span is there too.
    const queries = trace.children.filter((s) => s.operationName === 'PostgreSQL/query');
    const statements = queries.map((s) => tagOf(s, 'db.statement'));
    expect(statements).toEqual(['SELECT id FROM items ORDER BY id', 'SELECT 2 AS inside_read']);
    for (const span of trace.children) expectDbSpan(span, trace.entry, span.operationName);
    const cursorSpan = queries[0]!;
    const inside = queries[1]!;
    // The cursor's span lasts until close, after the query made between its reads.
    expect(cursorSpan.endTime).toBeGreaterThanOrEqual(inside.endTime);
  });

  it('traces the pool’s own and the app’s health-check queries outside requests as traces of their own', async () => {
    harness.sink.clear();
    await pool.query('SELECT 1');
    const span = await vi.waitFor(() => {
      const found = harness.sink.spans().find((s) => tagOf(s, 'db.statement') === 'SELECT 1');
      if (found === undefined) throw new Error('not yet');
      return found;
    });
    expect(span).toMatchObject({
      parentSpanId: -1,
      spanType: SpanType.Exit,
      peer,
      componentId: 22,
    });
  });

  it('opens no span where tracing is suppressed (the agent’s own calls)', async () => {
    harness.sink.clear();
    const marker = `SELECT 'suppressed' AS marker`;
    await suppressTracing(() => pool.query(marker));
    await pool.query('SELECT 1 AS after_suppressed');
    await vi.waitFor(() => {
      if (
        !harness.sink
          .spans()
          .some((s) => tagOf(s, 'db.statement') === 'SELECT 1 AS after_suppressed')
      )
        throw new Error('not yet');
    });
    expect(harness.sink.spans().some((s) => tagOf(s, 'db.statement') === marker)).toBe(false);
  });
});

describe('pg: errors reach the application unchanged and mark the span', () => {
  it('bad SQL (promise): the span is an error with the server message; the app gets the DatabaseError', async () => {
    const trace = await probe.run('bad-sql', () => pool.query('SELEC 1'));
    const error = trace.outcome.error as PgModule.DatabaseError;
    expect(error).toBeInstanceOf(pg.DatabaseError);
    expect(error.code).toBe('42601');
    const span = expectDbSpan(trace.children[0], trace.entry, 'PostgreSQL/query');
    expect(span.isError).toBe(true);
    expect(logText(span)).toContain('syntax error at or near "SELEC"');
    expect(logText(span)).toContain('error.kind=error');
  });

  it('bad SQL (callback): the callback gets the same error once, with the client as `this` as pg gives it', async () => {
    const client = new pg.Client(config());
    await client.connect();
    try {
      const calls: { error: unknown; self: unknown }[] = [];
      const trace = await probe.run(
        'bad-sql-callback',
        () =>
          new Promise<void>((resolve) => {
            client.query('SELECT * FROM missing_table', function (this: unknown, error) {
              calls.push({ error, self: this });
              setImmediate(resolve);
            });
          }),
      );
      expect(calls).toHaveLength(1);
      expect((calls[0]!.error as PgModule.DatabaseError).code).toBe('42P01');
      const span = expectDbSpan(trace.children[0], trace.entry, 'PostgreSQL/query');
      expect(span.isError).toBe(true);
      expect(logText(span)).toContain('relation "missing_table" does not exist');
    } finally {
      await client.end();
    }
  });

  it('returns pg’s own promise (the unhandled case is checked in the fixtures)', async () => {
    const result = pool.query('SELECT 1');
    expect(result).toBeInstanceOf(Promise);
    expect(result.constructor).toBe(Promise);
    await expect(result).resolves.toMatchObject({ rows: [{ '?column?': 1 }] });
  });

  it('connection refused: the connect span is an error; the app gets ECONNREFUSED', async () => {
    const port = await freePort();
    const refused = new pg.Pool({ ...config(), port });
    try {
      const trace = await probe.run('refused', () => refused.query('SELECT 1'));
      expect((trace.outcome.error as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
      expect(trace.children).toHaveLength(1);
      const span = trace.children[0]!;
      expect(span).toMatchObject({
        operationName: 'PostgreSQL/connect',
        peer: `127.0.0.1:${port}`,
        parentSpanId: trace.entry.spanId,
        spanLayer: SpanLayer.Database,
        componentId: 22,
        isError: true,
      });
      expect(logText(span)).toContain('ECONNREFUSED');
    } finally {
      await endPool(refused);
    }
  });

  it('a client read timeout (query_timeout) fails the span with pg’s timeout error', async () => {
    const slow = new pg.Pool(config({ query_timeout: 200 }));
    // pg drops the timed-out client; its connection closes once the server is done sleeping.
    const dropped = new Promise((resolve) => slow.once('remove', resolve));
    try {
      const trace = await probe.run('read-timeout', () => slow.query('SELECT pg_sleep(0.5)'));
      expect((trace.outcome.error as Error).message).toBe('Query read timeout');
      const span = trace.children.find((s) => s.operationName === 'PostgreSQL/query');
      expect(expectDbSpan(span, trace.entry, 'PostgreSQL/query').isError).toBe(true);
      expect(logText(span!)).toContain('Query read timeout');
    } finally {
      await dropped;
      await endPool(slow);
    }
  });

  it('a server-side statement_timeout fails the span with the server’s cancellation', async () => {
    const trace = await probe.run('statement-timeout', async () => {
      const client = await pool.connect();
      try {
        await client.query('SET statement_timeout = 100');
        await client.query('SELECT pg_sleep(3)');
      } finally {
        await client.query('SET statement_timeout = 0');
        client.release();
      }
    });
    expect((trace.outcome.error as PgModule.DatabaseError).code).toBe('57014');
    const sleep = trace.children.find((s) => tagOf(s, 'db.statement') === 'SELECT pg_sleep(3)');
    expect(expectDbSpan(sleep, trace.entry, 'PostgreSQL/query').isError).toBe(true);
    expect(logText(sleep!)).toContain('canceling statement due to statement timeout');
  });

  it('the server stopped mid-run: the query in flight fails, the next connect is refused', async () => {
    const doomed = await startPostgres();
    const doomedPeer = `127.0.0.1:${doomed.port}`;
    const doomedPool = new pg.Pool({
      host: doomed.host,
      port: doomed.port,
      user: doomed.user,
      database: doomed.database,
    });
    doomedPool.on('error', () => {});
    try {
      await doomedPool.query('SELECT 1');
      const path = probe.route('stopped', () => doomedPool.query('SELECT pg_sleep(30)'));
      // Stop the server once the query is running on it.
      const span = await stopServerUnderQuery(
        probe.request(path),
        async () =>
          (
            await doomedPool.query(
              `SELECT 1 FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(30)'`,
            )
          ).rows.length > 0,
        () => doomed.stop(),
        'PostgreSQL/query',
        doomedPeer,
      );
      expect(logText(span)).toMatch(
        /terminating connection due to administrator command|Connection terminated/,
      );

      const after = await probe.run('after-stop', () => doomedPool.query('SELECT 1'));
      expect((after.outcome.error as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
      expect(after.children[0]).toMatchObject({
        operationName: 'PostgreSQL/connect',
        isError: true,
      });
    } finally {
      await doomedPool.end().catch(() => {});
      await doomed.stop();
    }
  });
});

describe('pg: concurrency', () => {
  it('gives 50 interleaved requests their own spans through a pool of 4 (no context bleed)', async () => {
    const small = new pg.Pool(config({ max: 4 }));
    try {
      await Promise.all([small.query('SELECT 0'), small.query('SELECT 0')]);
      const traces = await concurrentRequests(probe, 50, async (i) => {
        if (i % 2 === 0) {
          await small.query(`SELECT ${i} AS request, pg_sleep(0.01)`);
          await small.query(`SELECT ${i} AS again`);
        } else {
          await callbackChain(
            (callback) => small.query(`SELECT ${i} AS request, pg_sleep(0.01)`, callback),
            (callback) => small.query(`SELECT ${i} AS again`, callback),
          );
        }
      });
      traces.forEach((trace, i) => {
        // A request that found the pool short of a client also has the new client's connect span.
        const queries = trace.children.filter((s) => s.operationName === 'PostgreSQL/query');
        expect(queries.map((s) => tagOf(s, 'db.statement'))).toEqual([
          `SELECT ${i} AS request, pg_sleep(0.01)`,
          `SELECT ${i} AS again`,
        ]);
        for (const span of trace.children) expectDbSpan(span, trace.entry, span.operationName);
      });
      const connects = traces
        .flatMap((t) => t.children)
        .filter((s) => s.operationName === 'PostgreSQL/connect');
      expect(connects.length).toBeLessThanOrEqual(2);
    } finally {
      await endPool(small);
    }
  });
});

describe('pg: parameters and credentials', () => {
  it('records no parameters by default, and db.sql.parameters with sqlTraceParameters', async () => {
    const off = await probe.run('params-off', () =>
      pool.query('SELECT $1::text AS a, $2::int AS b', ['alice', 7]),
    );
    expect(tagOf(off.children[0]!, 'db.sql.parameters')).toBeUndefined();

    const settings = harness.context.settings as {
      sqlTraceParameters: boolean;
      sqlParametersMaxLength: number;
    };
    settings.sqlTraceParameters = true;
    try {
      const on = await probe.run('params-on', () =>
        pool.query('SELECT $1::text AS a, $2::int AS b, $3::text AS c', ['alice', 7, null]),
      );
      expect(tagOf(on.children[0]!, 'db.sql.parameters')).toBe('["alice", 7, null]');
      settings.sqlParametersMaxLength = 10;
      const capped = await probe.run('params-capped', () =>
        pool.query('SELECT $1::text AS a', ['a much longer value than ten']),
      );
      expect(tagOf(capped.children[0]!, 'db.sql.parameters')).toBe('["a muc...');
    } finally {
      settings.sqlTraceParameters = false;
      settings.sqlParametersMaxLength = 512;
    }
  });

  it('caps db.statement at sqlStatementMaxLength', async () => {
    const settings = harness.context.settings as { sqlStatementMaxLength: number };
    settings.sqlStatementMaxLength = 20;
    try {
      const trace = await probe.run('capped', () =>
        pool.query('SELECT 1 AS a_rather_long_column_name'),
      );
      expect(tagOf(trace.children[0]!, 'db.statement')).toBe('SELECT 1 AS a_rat...');
    } finally {
      settings.sqlStatementMaxLength = 2048;
    }
  });

  it('never records a password: connection string, password literal, failed authentication', async () => {
    const { user, password } = server.passwordUser;
    const url = `postgres://${user}:${password}@127.0.0.1:${server.port}/${server.database}`;
    const withPassword = new pg.Pool({ connectionString: url });
    const wrong = new pg.Pool({
      connectionString: `postgres://${user}:wrong-${password}@127.0.0.1:${server.port}/${server.database}`,
    });
    const settings = harness.context.settings as { sqlTraceParameters: boolean };
    settings.sqlTraceParameters = true;
    try {
      const trace = await probe.run('credentials', async () => {
        await withPassword.query(`ALTER USER ${user} WITH PASSWORD '${password}'`);
        await withPassword.query(`SELECT '${url}' AS url`);
        await withPassword.query('SELECT $1::text AS url', [url]);
        await wrong.query('SELECT 1').catch((error: unknown) => error);
      });
      expect(trace.outcome.error).toBeUndefined();
      const statements = trace.children.map((s) => tagOf(s, 'db.statement'));
      expect(statements).toContain(`ALTER USER ${user} WITH PASSWORD '****'`);
      expect(statements).toContain(
        `SELECT 'postgres://${user}:****@127.0.0.1:${server.port}/${server.database}' AS url`,
      );
      const withParameter = trace.children.find((s) => tagOf(s, 'db.sql.parameters') !== undefined);
      expect(tagOf(withParameter!, 'db.sql.parameters')).toBe(
        `["postgres://${user}:****@127.0.0.1:${server.port}/${server.database}"]`,
      );
      const failed = trace.children.filter((s) => s.isError);
      expect(failed.map((s) => s.operationName)).toEqual(['PostgreSQL/connect']);
      expect(logText(failed[0]!)).toContain(`password authentication failed for user "${user}"`);
      for (const span of trace.children) {
        expect(span.peer).toBe(peer);
        expect(spanText(span)).not.toContain(password);
      }
    } finally {
      settings.sqlTraceParameters = false;
      await endPool(withPassword);
      await endPool(wrong);
    }
  });
});

describe('pg: CommonJS and ES module applications', () => {
  const env = () => ({
    PGHOST: '127.0.0.1',
    PGPORT: String(server.port),
    PGUSER: server.user,
    PGDATABASE: server.database,
  });
  const cases = ['current', '22', '24', '26'].flatMap((line) =>
    ['app.cjs', 'app.mjs'].map((file) => ({ line, file })),
  );

  it.each(cases)(
    '$file on Node $line: pool, client and cursor spans under the request',
    async ({ line, file }) => {
      const node = line === 'current' ? undefined : nodeBinary(line);
      const run = await runFixture(fixture(file), {
        plugins: ['pg'],
        env: env(),
        ...(node ? { node } : {}),
      });
      const children = workChildren(run);
      expect(run.stdout).toContain('unhandled 42601');
      expect(children.map((s) => [s.operationName, tagOf(s, 'db.statement')])).toEqual([
        ['PostgreSQL/connect', undefined],
        ['PostgreSQL/query', 'SELECT $1::int AS n'],
        ['PostgreSQL/query', 'SELECT generate_series(1, 3) AS n'],
        ['PostgreSQL/query', 'SELEC broken'],
      ]);
      for (const span of children) {
        expect(span).toMatchObject({ spanLayer: SpanLayer.Database, componentId: 22 });
        expect(span.peer).toBe(`127.0.0.1:${server.port}`);
      }
      expect(children.map((s) => s.isError)).toEqual([false, false, false, true]);
    },
  );
});

describe('pg: loaded before the agent starts', () => {
  it('patches the copies already loaded: the same spans, callbacks in the request context', async () => {
    const run = await runFixture(fixture('late.cjs'), {
      plugins: [],
      env: {
        PGHOST: '127.0.0.1',
        PGPORT: String(server.port),
        PGUSER: server.user,
        PGDATABASE: server.database,
      },
    });
    const children = workChildren(run);
    expect(children.map((s) => [s.operationName, tagOf(s, 'db.statement')])).toEqual([
      ['PostgreSQL/connect', undefined],
      ['PostgreSQL/query', 'SELECT $1::int AS n'],
      ['PostgreSQL/query', 'SELECT generate_series(1, 3) AS n'],
    ]);
  });
});

describe('pg: undo', () => {
  it('restores the prototypes and records nothing afterwards', async () => {
    undo();
    const proto = pg.Client.prototype as unknown as Record<string, unknown>;
    expect(unwrapped(proto.query)).toBe(proto.query);
    expect(unwrapped(proto._connect)).toBe(proto._connect);
    harness.sink.clear();
    await pool.query('SELECT 1 AS after_undo');
    await probe.run('after-undo', () => pool.query('SELECT 2 AS after_undo'));
    expect(harness.sink.spans().filter((s) => s.spanLayer === SpanLayer.Database)).toEqual([]);
  });
});
