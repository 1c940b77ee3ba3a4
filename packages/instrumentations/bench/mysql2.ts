// node --import tsx bench/mysql2.ts: what the mysql2 instrumentation adds per statement, against a real MariaDB
// started for the run (see bench/db-overhead.ts for the method), both ways it works: mysql2 3.25 (its own
// TracingChannels, subscribed) and 3.11 (hooked prototypes). Each copy has pools of one connection: plain and
// instrumented blocks run the same code on the same connection, the instrumentation enabled and undone between
// them. Then the span work alone.
import { createRequire } from 'node:module';
import { ComponentId } from '@windsock/protocol';
import { startMariadb } from '@windsock/test-servers';
import type * as Mysql2 from 'mysql2';
import type * as Mysql2Promise from 'mysql2/promise';
import { enableMysql2 } from '../src/mysql2/index.js';
import { compareCases, context, segmentsReported, spanWork } from './db-overhead.js';

const require = createRequire(import.meta.url);

async function main(): Promise<void> {
  const server = await startMariadb();
  const options = {
    host: server.host,
    port: server.port,
    user: server.user,
    password: server.password,
    database: server.database,
    connectionLimit: 1,
  };
  // Loaded while enabled, so the hooks see the 3.11 copy (undo restores it as it was).
  const undo = enableMysql2(context);
  const cases: Record<string, () => Promise<unknown>> = {};
  const pools: Mysql2Promise.Pool[] = [];
  for (const [label, module] of [
    ['3.25', 'mysql2'],
    ['3.11', 'mysql2-3-11'],
  ] as const) {
    const promise = (require(`${module}/promise`) as typeof Mysql2Promise).createPool(options);
    const callback = (require(module) as typeof Mysql2).createPool(options);
    pools.push(promise, callback.promise());
    cases[`${label} pool.query (promise)`] = () => promise.query('SELECT ? AS n', [1]);
    cases[`${label} pool.execute (callback)`] = () =>
      new Promise((resolve, reject) =>
        callback.execute('SELECT ? AS n', [1], (error, rows) =>
          error ? reject(error) : resolve(rows),
        ),
      );
  }
  undo();
  try {
    for (const fn of Object.values(cases)) await fn();
    await compareCases('mysql2 against MariaDB 10.11', cases, () => enableMysql2(context));
    spanWork('Mysql/query', ComponentId.Mysql, 'Mysql', 'SELECT ? AS n');
    console.log(`segments reported: ${segmentsReported()}`);
  } finally {
    for (const pool of pools) await pool.end();
    await server.stop();
  }
}

await main();
