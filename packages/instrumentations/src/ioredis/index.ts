import { type Instrumentation } from '@windsock/core';
import { hookModules } from '../hooks/module-hook.js';
import { IOREDIS_MODULE, ioredisPatches } from './patch.js';

/** ioredis 5.x: an exit span per command on OAP's virtual cache dashboard. */
export const ioredisInstrumentation: Instrumentation = {
  name: 'ioredis',
  description:
    'Redis commands as Cache exit spans (`Redis/GET`, component Redis, `host:port`) with `cache.type`, `cache.cmd`, `cache.op` and `cache.key`: OAP’s virtual cache dashboard; one span per MULTI/EXEC',
  modules: [IOREDIS_MODULE],
  enable(context) {
    return hookModules('ioredis', context, ioredisPatches(context));
  },
};
