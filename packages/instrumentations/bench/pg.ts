// node --import tsx bench/pg.ts: what the pg instrumentation adds per query, against a real PostgreSQL started for the
// run (see bench/db-overhead.ts for the method). One copy of pg, one pool of one client and one connected client:
// plain and instrumented blocks run the same code on the same connections, the instrumentation enabled and undone
// between them. Then the span work alone.
import { createRequire } from 'node:module';
import { ComponentId } from '@windsock/protocol';
import { startPostgres } from '@windsock/test-servers';
import type * as Pg from 'pg';
import { enablePg } from '../src/pg/index.js';
import { compareCases, context, segmentsReported, spanWork } from './db-overhead.js';

const require = createRequire(import.meta.url);

async function main(): Promise<void> {
  const server = await startPostgres();
  // Loaded while enabled, so the hooks see the module (undo restores it as it was).
  const undo = enablePg(context);
  const pg = require('pg') as typeof Pg;
  undo();
  const config = {
    host: server.host,
    port: server.port,
    user: server.user,
    database: server.database,
  };
  const pool = new pg.Pool({ ...config, max: 1 });
  const client = new pg.Client(config);
  try {
    await client.connect();
    await pool.query('SELECT 1');
    await compareCases(
      'pg against PostgreSQL 15',
      {
        'pool.query (promise)': () => pool.query('SELECT $1::int AS n', [1]),
        'client.query (callback)': () =>
          new Promise((resolve, reject) =>
            client.query('SELECT $1::int AS n', [1], (error, result) =>
              error ? reject(error) : resolve(result),
            ),
          ),
      },
      () => enablePg(context),
    );
    spanWork('PostgreSQL/query', ComponentId.PostgreSQL, 'PostgreSQL', 'SELECT $1::int AS n');
    console.log(`segments reported: ${segmentsReported()}`);
  } finally {
    await client.end();
    // pool.end() resolves before its client's connection has closed; the server must not stop under it.
    await new Promise((resolve) => {
      pool.once('remove', resolve);
      void pool.end();
    });
    await server.stop();
  }
}

await main();
