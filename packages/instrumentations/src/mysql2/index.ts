import {
  type Instrumentation,
  type InstrumentationContext,
  type SupportedModule,
} from '@windsock/core';
import semver from 'semver';
import { hookModules } from '../hooks/module-hook.js';
import { HookGuard } from '../hooks/hook-guard.js';
import { patchLoadedCopies, type LoadedPatch } from '../hooks/loaded-copies.js';
import { subscribeMysql2Channels } from './channels.js';
import { type Mysql2Hooks } from './connection.js';
import { patchConnection, patchPool } from './patch.js';

const MYSQL2: SupportedModule = { name: 'mysql2', versions: '>=3 <4' };
/** The first mysql2 to publish `mysql2:query`, `mysql2:execute` and `mysql2:pool:connect`. */
const CHANNELS_SINCE = '3.20.0';

export const mysql2Instrumentation: Instrumentation = {
  name: 'mysql2',
  description:
    'mysql2 3 (connections, pools, promise API; `query` and `execute`): an exit span per statement (`Mysql/query`, `Mysql/execute`), layer Database, component Mysql, peer `host:port`, `db.type`, `db.instance`, `db.statement`; server errors logged on the span, a pool that cannot hand out a connection as a failed `Mysql/getConnection`',
  modules: [MYSQL2],
  enable: (context) => enableMysql2(context),
};

/**
 * mysql2 3.20 and later publish TracingChannels: the instrumentation subscribes to them and patches nothing there.
 * Older 3.x copies are hooked (connection and pool prototypes, through their internal files so ES module imports
 * are covered), whether loaded before or after. A copy is handled one way or the other, never both. Returns the undo.
 */
export function enableMysql2(context: InstrumentationContext): () => void {
  const guard = new HookGuard('mysql2', context.diagnostics);
  const hooks: Mysql2Hooks = { context, guard };
  const unsubscribe = subscribeMysql2Channels(hooks);
  const hooked =
    (patch: (exports: unknown) => () => void) => (exports: unknown, version: string) =>
      semver.gte(semver.coerce(version) ?? version, CHANNELS_SINCE) ? noop : patch(exports);
  // Since 3.9 the methods live on the base classes (`lib/base/`), which pool connections extend directly; before,
  // on `lib/connection.js` and `lib/pool.js`. Both are patched: a method already wrapped through its base class is
  // left alone.
  const patches: LoadedPatch[] = [
    ...['lib/base/connection.js', 'lib/connection.js'].map((file) => ({
      file,
      patch: { module: MYSQL2, file, patch: hooked((exports) => patchConnection(exports, hooks)) },
    })),
    ...['lib/base/pool.js', 'lib/pool.js'].map((file) => ({
      file,
      patch: { module: MYSQL2, file, patch: hooked((exports) => patchPool(exports, hooks)) },
    })),
  ];
  const unhook = hookModules(
    'mysql2',
    context,
    patches.map((p) => p.patch),
  );
  const undoLoaded = patchLoadedCopies('mysql2', context, patches);
  return () => {
    guard.on = false;
    unhook();
    undoLoaded();
    unsubscribe();
  };
}

function noop(): void {}
