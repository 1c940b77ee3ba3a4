import { type Instrumentation } from '@windsock/core';
import { hookModules } from '../hooks/module-hook.js';
import { subscribeNodeRedis } from './channels.js';
import { REDIS_CLIENT_MODULE, redisV4Patches } from './patch-v4.js';

/** node-redis (`redis` 4.6+ through `@redis/client` 1.x hooks, 5.12+ through its own diagnostics channels). */
export const redisInstrumentation: Instrumentation = {
  name: 'redis',
  description:
    'node-redis (`redis` 4.6+, 5.12+) commands as Cache exit spans (`Redis/GET`, component Redis, `host:port`) with `cache.type`, `cache.cmd`, `cache.op` and `cache.key`: OAP’s virtual cache dashboard; one span per MULTI/EXEC',
  modules: [REDIS_CLIENT_MODULE],
  enable(context) {
    const unsubscribe = subscribeNodeRedis(context);
    const unhook = hookModules('redis', context, redisV4Patches(context));
    return () => {
      unhook();
      unsubscribe();
    };
  },
};
