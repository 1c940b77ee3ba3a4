import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { suppressTracing } from '@windsock/core';
import { SpanLayer, SpanType, type SpanObject } from '@windsock/protocol';
import { freePort, startMariadb, type MariadbServer } from '@windsock/test-servers';
import type * as Mysql2 from 'mysql2';
import type * as Mysql2Promise from 'mysql2/promise';
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
import { tagOf, tracingHarness } from '../../test/helpers/tracing.js';
import { unwrapped } from '../hooks/wrap.js';
import { HttpProbe, logText, spanText } from '../../test/helpers/http-probe.js';
import { enableMysql2 } from './index.js';

const require = createRequire(import.meta.url);
const fixture = (name: string) =>
  fileURLToPath(new URL(`../../test/fixtures/mysql2/${name}`, import.meta.url));

const harness = tracingHarness();
const probe = new HttpProbe(harness.sink);
let server: MariadbServer;
let undo: () => void;
let peer: string;

/** The two ways mysql2 is instrumented: its own TracingChannels (3.20 and later), hooks before that. */
const VERSIONS = [
  { module: 'mysql2', label: '3.25 (TracingChannels)', channels: true },
  { module: 'mysql2-3-11', label: '3.11 (hooks)', channels: false },
] as const;

interface Loaded {
  mysql: typeof Mysql2;
  promise: typeof Mysql2Promise;
  pool: Mysql2Promise.Pool;
}
const loaded = new Map<string, Loaded>();

function options(extra: Mysql2.PoolOptions = {}): Mysql2.PoolOptions {
  return {
    host: server.host,
    port: server.port,
    user: server.user,
    password: server.password,
    database: server.database,
    ...extra,
  };
}

const DATABASE: Database = { componentId: 5, dbType: 'Mysql', peer: () => peer };

function expectDbSpan(span: SpanObject | undefined, parent: SpanObject, operation: string) {
  return expectDatabaseSpan(DATABASE, span, parent, operation);
}

const statements = (spans: SpanObject[]) => spans.map((s) => tagOf(s, 'db.statement'));

beforeAll(async () => {
  server = await startMariadb();
  peer = `127.0.0.1:${server.port}`;
  // Enabled before the first require of mysql2, as `node -r windsock/register` does.
  undo = enableMysql2(harness.context);
  for (const { module } of VERSIONS) {
    const mysql = require(module) as typeof Mysql2;
    const promise = require(`${module}/promise`) as typeof Mysql2Promise;
    loaded.set(module, {
      mysql,
      promise,
      pool: promise.createPool(options({ connectionLimit: 4 })),
    });
  }
  await probe.start();
  const { pool } = loaded.get('mysql2')!;
  await pool.query('CREATE TABLE items (id int PRIMARY KEY, name varchar(50))');
  await pool.query(
    "INSERT INTO items VALUES (1, 'item 1'), (2, 'item 2'), (3, 'item 3'), (4, 'item 4'), (5, 'item 5')",
  );
});

afterAll(async () => {
  for (const { pool } of loaded.values()) await pool.end();
  await probe.stop();
  undo?.();
  await server?.stop();
});

describe.each(VERSIONS)('mysql2 $label', ({ module, channels }) => {
  const lib = () => loaded.get(module)!;

  it(
    channels
      ? 'patches nothing: the channels carry every call'
      : 'hooks the connection and pool prototypes',
    () => {
      const { Connection, Pool } = lib().mysql as unknown as Record<
        string,
        { prototype: Record<string, unknown> }
      >;
      const patched = (proto: Record<string, unknown>, key: string) =>
        unwrapped(proto[key]) !== proto[key];
      expect(patched(Connection!.prototype, 'query')).toBe(!channels);
      expect(patched(Connection!.prototype, 'execute')).toBe(!channels);
      expect(patched(Pool!.prototype, 'getConnection')).toBe(!channels);
    },
  );

  it('gives each pool query and execute (promise) one exit span, child of the request entry span', async () => {
    const trace = await probe.run('pool-promise', async () => {
      const [rows] = await lib().pool.query('SELECT name FROM items WHERE id = ?', [3]);
      const [executed] = await lib().pool.execute('SELECT name FROM items WHERE id = ?', [4]);
      return [rows, executed];
    });
    expect(trace.outcome.value).toEqual([[{ name: 'item 3' }], [{ name: 'item 4' }]]);
    expect(trace.children.map((s) => s.operationName)).toEqual(['Mysql/query', 'Mysql/execute']);
    expectDbSpan(trace.children[0], trace.entry, 'Mysql/query');
    expectDbSpan(trace.children[1], trace.entry, 'Mysql/execute');
    expect(statements(trace.children)).toEqual([
      'SELECT name FROM items WHERE id = ?',
      'SELECT name FROM items WHERE id = ?',
    ]);
    expect(trace.children.every((s) => !s.isError)).toBe(true);
  });

  it('keeps the request context through callbacks: a query in a query callback is a sibling', async () => {
    const connection = lib().mysql.createConnection(options());
    try {
      const trace = await probe.run(
        'callback',
        () =>
          new Promise<number>((resolve, reject) => {
            connection.query<Mysql2.RowDataPacket[]>('SELECT 1 AS a', (error, first) => {
              if (error) return reject(error);
              connection.execute<Mysql2.RowDataPacket[]>('SELECT ? AS b', [2], (error2, second) => {
                if (error2) return reject(error2);
                resolve(Number(first[0]!.a) + Number(second[0]!.b));
              });
            });
          }),
      );
      expect(trace.outcome.value).toBe(3);
      expect(trace.children.map((s) => s.operationName)).toEqual(['Mysql/query', 'Mysql/execute']);
      expect(statements(trace.children)).toEqual(['SELECT 1 AS a', 'SELECT ? AS b']);
      for (const span of trace.children) expectDbSpan(span, trace.entry, span.operationName);
    } finally {
      connection.end();
    }
  });

  it('records a transaction as one span per statement, on the pool connection', async () => {
    const trace = await probe.run('transaction', async () => {
      const connection = await lib().pool.getConnection();
      try {
        await connection.beginTransaction();
        await connection.query('UPDATE items SET name = ? WHERE id = ?', ['renamed', 1]);
        await connection.commit();
      } finally {
        connection.release();
      }
    });
    expect(statements(trace.children)).toEqual([
      'START TRANSACTION',
      'UPDATE items SET name = ? WHERE id = ?',
      'COMMIT',
    ]);
    for (const span of trace.children) expectDbSpan(span, trace.entry, 'Mysql/query');
  });

  it('records a multi-statement query as one span with the whole text', async () => {
    const multi = lib().promise.createPool(options({ multipleStatements: true }));
    try {
      await multi.query('SELECT 0');
      const trace = await probe.run('multi', async () => {
        const [results] = await multi.query('SELECT 1 AS a; SELECT 2 AS b');
        return (results as unknown[]).length;
      });
      expect(trace.outcome.value).toBe(2);
      expect(trace.children).toHaveLength(1);
      expect(
        tagOf(expectDbSpan(trace.children[0], trace.entry, 'Mysql/query'), 'db.statement'),
      ).toBe('SELECT 1 AS a; SELECT 2 AS b');
    } finally {
      await multi.end();
    }
  });

  it('ends the span of a streamed query (no callback) at its end event', async () => {
    const connection = lib().mysql.createConnection(options());
    try {
      const trace = await probe.run(
        'stream',
        () =>
          new Promise<number>((resolve, reject) => {
            let rows = 0;
            connection
              .query('SELECT id FROM items ORDER BY id')
              .on('result', () => rows++)
              .on('error', reject)
              .on('end', () => resolve(rows));
          }),
      );
      expect(trace.outcome.value).toBe(5);
      expect(statements(trace.children)).toEqual(['SELECT id FROM items ORDER BY id']);
      expect(expectDbSpan(trace.children[0], trace.entry, 'Mysql/query').isError).toBe(false);
    } finally {
      connection.end();
    }
  });

  it('traces a health-check query outside requests as a trace of its own', async () => {
    const marker = `SELECT 1 AS health_${module.replaceAll('-', '_')}`;
    await lib().pool.query(marker);
    const span = await vi.waitFor(() => {
      const found = harness.sink.spans().find((s) => tagOf(s, 'db.statement') === marker);
      if (found === undefined) throw new Error('not yet');
      return found;
    });
    expect(span).toMatchObject({ parentSpanId: -1, spanType: SpanType.Exit, peer, componentId: 5 });
  });

  it('opens no span where tracing is suppressed (the agent’s own calls)', async () => {
    const marker = `SELECT 'suppressed' AS ${module.replaceAll('-', '_')}`;
    const after = `SELECT 'after' AS ${module.replaceAll('-', '_')}`;
    await suppressTracing(() => lib().pool.query(marker));
    await lib().pool.query(after);
    await vi.waitFor(() => {
      if (!harness.sink.spans().some((s) => tagOf(s, 'db.statement') === after))
        throw new Error('not yet');
    });
    expect(harness.sink.spans().some((s) => tagOf(s, 'db.statement') === marker)).toBe(false);
  });

  describe('errors reach the application unchanged and mark the span', () => {
    it('bad SQL (promise): the span is an error with the server message', async () => {
      const trace = await probe.run('bad-sql', () => lib().pool.query('SELEC 1'));
      const error = trace.outcome.error as Mysql2.QueryError;
      expect(error.code).toBe('ER_PARSE_ERROR');
      const span = expectDbSpan(trace.children[0], trace.entry, 'Mysql/query');
      expect(span.isError).toBe(true);
      expect(logText(span)).toContain('You have an error in your SQL syntax');
    });

    it('bad SQL (callback, execute): the callback gets the error once', async () => {
      const callbackPool = lib().mysql.createPool(options({ connectionLimit: 1 }));
      try {
        const errors: unknown[] = [];
        const trace = await probe.run(
          'bad-execute',
          () =>
            new Promise<void>((resolve) => {
              callbackPool.execute('SELECT * FROM missing_table WHERE id = ?', [1], (error) => {
                errors.push(error);
                setImmediate(resolve);
              });
            }),
        );
        expect(errors).toHaveLength(1);
        expect((errors[0] as Mysql2.QueryError).code).toBe('ER_NO_SUCH_TABLE');
        const span = trace.children.find((s) => s.operationName === 'Mysql/execute');
        expect(expectDbSpan(span, trace.entry, 'Mysql/execute').isError).toBe(true);
        expect(logText(span!)).toContain("missing_table' doesn't exist");
      } finally {
        await new Promise((resolve) => callbackPool.end(resolve));
      }
    });

    it('connection refused: a pool records Mysql/getConnection, a connection its query, both failed', async () => {
      const port = await freePort();
      const refused = lib().promise.createPool(options({ port }));
      try {
        const trace = await probe.run('refused', async () => {
          const pooled = await refused.query('SELECT 1').catch((error: unknown) => error);
          // The query waits behind the handshake, which fails: mysql2 hands it the connection error.
          const connection = lib().mysql.createConnection(options({ port }));
          const direct = await new Promise((resolve) => connection.query('SELECT 2', resolve));
          return [pooled, direct];
        });
        const [pooled, direct] = trace.outcome.value as NodeJS.ErrnoException[];
        expect(pooled!.code).toBe('ECONNREFUSED');
        expect(direct!.code).toBe('ECONNREFUSED');
        expect(trace.children.map((s) => [s.operationName, s.peer, s.isError])).toEqual([
          ['Mysql/getConnection', `127.0.0.1:${port}`, true],
          ['Mysql/query', `127.0.0.1:${port}`, true],
        ]);
        for (const span of trace.children) {
          expect(span).toMatchObject({ parentSpanId: trace.entry.spanId, componentId: 5 });
          expect(logText(span)).toContain('ECONNREFUSED');
        }
      } finally {
        await refused.end();
      }
    });

    it('a query timeout fails the span with mysql2’s timeout error', async () => {
      const trace = await probe.run('timeout', () =>
        lib().pool.query({ sql: 'SELECT SLEEP(3)', timeout: 150 }),
      );
      expect((trace.outcome.error as Mysql2.QueryError).code).toBe('PROTOCOL_SEQUENCE_TIMEOUT');
      const span = trace.children.find((s) => tagOf(s, 'db.statement') === 'SELECT SLEEP(3)');
      expect(expectDbSpan(span, trace.entry, 'Mysql/query').isError).toBe(true);
      expect(logText(span!)).toContain('Query inactivity timeout');
    });

    it('the server stopped mid-run: the statement in flight fails, then getting a connection fails', async () => {
      const doomed = await startMariadb();
      const doomedPeer = `127.0.0.1:${doomed.port}`;
      const doomedPool = lib().promise.createPool({
        host: doomed.host,
        port: doomed.port,
        user: doomed.user,
        password: doomed.password,
        database: doomed.database,
      });
      try {
        await doomedPool.query('SELECT 1');
        const path = probe.route('stopped', () => doomedPool.query('SELECT SLEEP(30)'));
        const span = await stopServerUnderQuery(
          probe.request(path),
          async () => {
            const [rows] = await doomedPool.query(
              "SELECT 1 FROM information_schema.processlist WHERE info = 'SELECT SLEEP(30)'",
            );
            return (rows as unknown[]).length > 0;
          },
          () => doomed.stop(),
          'Mysql/query',
          doomedPeer,
        );
        expect(logText(span)).toMatch(/Connection lost|killed|shutdown|ECONNRESET/i);

        const after = await probe.run('after-stop', () => doomedPool.query('SELECT 1'));
        expect((after.outcome.error as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
        expect(after.children.map((s) => [s.operationName, s.isError])).toEqual([
          ['Mysql/getConnection', true],
        ]);
      } finally {
        await doomedPool.end().catch(() => {});
        await doomed.stop();
      }
    });
  });

  it('gives 50 interleaved requests their own spans through a pool of 4 (no context bleed)', async () => {
    const small = lib().mysql.createPool(options({ connectionLimit: 4 }));
    const smallPromise = small.promise();
    try {
      await Promise.all([0, 1, 2, 3].map(() => smallPromise.query('SELECT SLEEP(0.02)')));
      const traces = await concurrentRequests(probe, 50, async (i) => {
        if (i % 2 === 0) {
          await smallPromise.query(`SELECT ${i} AS request, SLEEP(0.01)`);
          await smallPromise.execute(`SELECT ${i} AS again`);
        } else {
          await callbackChain(
            (callback) => small.query(`SELECT ${i} AS request, SLEEP(0.01)`, callback),
            (callback) => small.execute(`SELECT ${i} AS again`, callback),
          );
        }
      });
      traces.forEach((trace, i) => {
        expect(statements(trace.children)).toEqual([
          `SELECT ${i} AS request, SLEEP(0.01)`,
          `SELECT ${i} AS again`,
        ]);
        expectDbSpan(trace.children[0], trace.entry, 'Mysql/query');
        expectDbSpan(trace.children[1], trace.entry, 'Mysql/execute');
      });
    } finally {
      await smallPromise.end();
    }
  });

  it('records no parameters by default, and db.sql.parameters with sqlTraceParameters', async () => {
    const off = await probe.run('params-off', async () => {
      await lib().pool.query("SELECT ? AS a, 'literal' AS b", ['alice']);
      await lib().pool.execute('SELECT ? AS a', [7]);
    });
    // `query` interpolates its values client side: where only that text is published, literals are masked.
    expect(statements(off.children)).toEqual([
      channels ? 'SELECT ? AS a, ? AS b' : "SELECT ? AS a, 'literal' AS b",
      'SELECT ? AS a',
    ]);
    for (const span of off.children) expect(tagOf(span, 'db.sql.parameters')).toBeUndefined();
    for (const span of off.children) expect(spanText(span)).not.toContain('alice');

    const settings = harness.context.settings as { sqlTraceParameters: boolean };
    settings.sqlTraceParameters = true;
    try {
      const on = await probe.run('params-on', async () => {
        await lib().pool.query('SELECT ? AS a, ? AS b', ['alice', null]);
        await lib().pool.execute('SELECT ? AS a', [7]);
      });
      expect(on.children.map((s) => tagOf(s, 'db.sql.parameters'))).toEqual([
        '["alice", null]',
        '[7]',
      ]);
      expect(tagOf(on.children[0]!, 'db.statement')).toBe(
        channels ? "SELECT 'alice' AS a, NULL AS b" : 'SELECT ? AS a, ? AS b',
      );
    } finally {
      settings.sqlTraceParameters = false;
    }
  });

  it('never records a password: connection URI, password literal, failed authentication', async () => {
    const uri = `mysql://${server.user}:${server.password}@127.0.0.1:${server.port}/${server.database}`;
    const withUri = lib().promise.createPool(uri);
    const wrong = lib().promise.createPool(options({ password: `wrong-${server.password}` }));
    try {
      const trace = await probe.run('credentials', async () => {
        await withUri.query(`ALTER USER '${server.user}'@'%' IDENTIFIED BY '${server.password}'`);
        await withUri.query(`SELECT '${uri}' AS uri`);
        return wrong.query('SELECT 1').catch((error: unknown) => error);
      });
      const denied = trace.outcome.value as Mysql2.QueryError;
      expect(denied.code).toBe('ER_ACCESS_DENIED_ERROR');
      expect(statements(trace.children.filter((s) => s.operationName === 'Mysql/query'))).toEqual([
        `ALTER USER '${server.user}'@'%' IDENTIFIED BY '****'`,
        `SELECT 'mysql://${server.user}:****@127.0.0.1:${server.port}/${server.database}' AS uri`,
      ]);
      const failed = trace.children.filter((s) => s.isError);
      expect(failed.map((s) => s.operationName)).toEqual(['Mysql/getConnection']);
      expect(logText(failed[0]!)).toContain(`Access denied for user '${server.user}'`);
      for (const span of trace.children) {
        expect(span.peer).toBe(peer);
        expect(spanText(span)).not.toContain(server.password);
      }
    } finally {
      await withUri.end();
      await wrong.end();
    }
  });

  it('works for a copy loaded before the agent starts', async () => {
    const run = await runFixture(fixture('late.cjs'), {
      plugins: [],
      env: {
        MYSQL2_MODULE: module,
        MYSQL_URL: `mysql://${server.user}:${server.password}@127.0.0.1:${server.port}/${server.database}`,
      },
    });
    const children = workChildren(run);
    expect(children.map((s) => [s.operationName, tagOf(s, 'db.statement')])).toEqual([
      ['Mysql/query', 'SELECT 1 AS one'],
      ['Mysql/execute', 'SELECT ? AS two'],
    ]);
  });

  describe('CommonJS and ES module applications', () => {
    const cases = ['current', '22', '24', '26'].flatMap((line) =>
      ['app.cjs', 'app.mjs'].map((file) => ({ line, file })),
    );

    it.each(cases)(
      '$file on Node $line: pool, connection and promise spans under the request',
      async ({ line, file }) => {
        const node = line === 'current' ? undefined : nodeBinary(line);
        const run = await runFixture(fixture(file), {
          plugins: ['mysql2'],
          env: {
            MYSQL2_MODULE: module,
            MYSQL_URL: `mysql://${server.user}:${server.password}@127.0.0.1:${server.port}/${server.database}`,
          },
          ...(node ? { node } : {}),
        });
        const children = workChildren(run);
        expect(run.stdout).toContain('rows 1 2 3 ER_PARSE_ERROR');
        expect(children.map((s) => [s.operationName, tagOf(s, 'db.statement'), s.isError])).toEqual(
          [
            ['Mysql/query', 'SELECT 1 AS one', false],
            ['Mysql/execute', 'SELECT ? AS two', false],
            ['Mysql/query', 'SELECT 3 AS three', false],
            ['Mysql/query', 'SELEC broken', true],
          ],
        );
        for (const span of children) {
          expect(span).toMatchObject({ spanLayer: SpanLayer.Database, componentId: 5 });
          expect(span.peer).toBe(peer);
          expect(spanText(span)).not.toContain(server.password);
        }
      },
    );
  });
});

describe('mysql2: undo', () => {
  it('unsubscribes, restores the prototypes and records nothing afterwards', async () => {
    undo();
    const { Connection } = loaded.get('mysql2-3-11')!.mysql as unknown as Record<
      string,
      { prototype: { query: unknown } }
    >;
    expect(unwrapped(Connection!.prototype.query)).toBe(Connection!.prototype.query);
    harness.sink.clear();
    await probe.run('after-undo', async () => {
      for (const { pool } of loaded.values()) await pool.query('SELECT 1 AS after_undo');
    });
    expect(harness.sink.spans().filter((s) => s.spanLayer === SpanLayer.Database)).toEqual([]);
  });
});
