import {
  type Instrumentation,
  type InstrumentationContext,
  type SupportedModule,
} from '@windsock/core';
import { hookModules } from '../hooks/module-hook.js';
import { HookGuard } from '../hooks/hook-guard.js';
import { patchLoadedCopies, type LoadedPatch } from '../hooks/loaded-copies.js';
import { patchClient } from './patch-client.js';
import { patchCursor } from './patch-cursor.js';
import { patchPool } from './patch-pool.js';

const PG: SupportedModule = { name: 'pg', versions: '>=8 <9' };
const PG_POOL: SupportedModule = { name: 'pg-pool', versions: '>=3 <4' };
const PG_CURSOR: SupportedModule = { name: 'pg-cursor', versions: '>=2 <3' };

export const pgInstrumentation: Instrumentation = {
  name: 'pg',
  description:
    'node-postgres (`pg` Client and Pool, pg-cursor): an exit span per query (`PostgreSQL/query`) and per new connection (`PostgreSQL/connect`), layer Database, component PostgreSQL, peer `host:port`, `db.type`, `db.instance`, `db.statement`; server errors logged on the span',
  modules: [PG, PG_POOL, PG_CURSOR],
  enable: (context) => enablePg(context),
};

/**
 * Hooks pg's Client (through its internal file, so an ES module `import` of pg is covered too), pg-pool and
 * pg-cursor, for copies loaded from now on and copies already loaded. Returns the undo.
 */
export function enablePg(context: InstrumentationContext): () => void {
  const guard = new HookGuard('pg', context.diagnostics);
  const hooks = { tracer: context.tracer, settings: context.settings, guard };
  const patches: LoadedPatch[] = [
    {
      file: 'lib/client.js',
      patch: { module: PG, file: 'lib/client.js', patch: (exports) => patchClient(exports, hooks) },
    },
    { file: 'index.js', patch: { module: PG_POOL, patch: (exports) => patchPool(exports, guard) } },
    {
      file: 'index.js',
      patch: { module: PG_CURSOR, patch: (exports) => patchCursor(exports, guard) },
    },
  ];
  const unhook = hookModules(
    'pg',
    context,
    patches.map((p) => p.patch),
  );
  const undoLoaded = patchLoadedCopies('pg', context, patches);
  return () => {
    guard.on = false;
    unhook();
    undoLoaded();
  };
}
